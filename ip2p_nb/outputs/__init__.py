"""What an edit leaves behind: `poster` (make_poster), `grids` (explore) and `axes` (what a grid may vary),
`metadata` (the `parameters` PNG text), `fonts` (a CJK font that really draws Chinese) and `files` (atomic writes)."""
