"""Which guidance branches an edit evaluates (pure arithmetic on the two guidance weights, no torch: the app's
time estimate counts them in a room's page too)."""

__all__ = ["branches"]


def branches(image_guidance: float, text_guidance: float) -> tuple:
    """The noise predictions the guided noise needs, in the pipeline's batch order.

    Guided noise = e_u + s_T (e_T - e_I) + s_I (e_I - e_u) = (1 - s_I) e_u + (s_I - s_T) e_I + s_T e_T,
    with e_T conditioned on text and image, e_I on the image only, e_u on neither. A branch whose
    weight is zero is not evaluated. As in diffusers, text guidance 1 turns guidance off: e_T only.
    """
    if text_guidance <= 1.0:
        return ("text",)
    needed = ["text"]
    if image_guidance != text_guidance:
        needed.append("image")
    if image_guidance != 1.0:
        needed.append("uncond")
    return tuple(needed)
