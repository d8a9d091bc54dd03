"""`python -m ip2p_nb ...`: see `ip2p_nb.cli`."""
import sys

from .cli import main

sys.exit(main())
