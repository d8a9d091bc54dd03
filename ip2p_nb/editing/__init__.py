"""The editing core: `editor` (Editor, load_editor: settings, prompt, caches, the busy guard), `loop` (the
denoising loop over timesteps and its hooks), `conditioning` (what differs per pipeline kind), `regions`
(masks and boxes, the mask hook), `preview` (the preview hook), `reuse` (deep-feature reuse, the reuse hook),
`decoding` (latents to pictures, out of memory), `prompts` (the instruction checked and translated),
`results` (EditResult, ItemResult), `many` (edit_many's seed batches), `images` and `fetch` (reading photos).

Nothing is imported here, so `import ip2p_nb.editing.images` does not pay for torch."""
