"""Many photos and many pages: `batch` (folders and manifests, resumable, split across accelerate processes)
and `worker` (`app --shared`: one process holds the model, pages queue their edits there)."""
