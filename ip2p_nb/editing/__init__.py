"""The editing core: `editor` (Editor, load_editor: settings, prompt, caches, the busy guard), `loop` (the
denoising loop over timesteps and its hooks), `conditioning` (what differs per pipeline kind), `regions`
(masks and boxes), `preview`, `reuse` (deep-feature reuse), `images` and `fetch` (reading photos).

Nothing is imported here, so `import ip2p_nb.editing.images` does not pay for torch."""
