"""The prompt the model sees: the instruction checked (nothing visible, a broken character) and
translated to English (ip2p_nb/translation), or the English prompt given by hand instead."""
import unicodedata

from ..errors import UserError

__all__ = ["check_instruction", "prompt_for"]


def check_instruction(instruction) -> None:
    """Refuse an instruction with nothing visible in it, or with a broken character, in one sentence."""
    if not isinstance(instruction, str) or _blank(instruction):
        raise UserError('The instruction is empty: type what to change, for example "make it snowy" or "把天空换成夜晚".')
    _check_encodable(instruction, "instruction")


def _blank(text: str) -> bool:
    """Nothing visible: only spaces, control characters or invisible format marks (zero-width space, BOM)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _check_encodable(text: str, what: str) -> None:
    """A lone surrogate (a broken emoji from a bad paste) cannot be encoded; the tokenizer would crash on it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise UserError(f"The {what} contains a broken character ({text[e.start]!r}); type or paste it again.") from None


def prompt_for(instruction, english, notes: list) -> tuple[str, str]:
    """(English prompt, backend that made it) for `instruction`; `english` overrides the translation.

    Notes for the user (a partial translation, say) are appended to `notes`.
    """
    check_instruction(instruction)
    if english is not None:
        if not isinstance(english, str) or _blank(english):
            raise UserError("The English prompt is empty: type the instruction in English, or leave it blank to translate.")
        _check_encodable(english, "English prompt")
        return english.strip(), "override"
    from ..translation import translate  # noqa: PLC0415  (light: no torch)

    t = translate(instruction.strip())
    if t.backend == "none":
        notes.append("The instruction could not be translated to English; it was used as typed. Type the English prompt to fix it.")
    elif not t.complete:
        left = "、".join(t.untranslated) or "some words"
        notes.append(f"Part of the instruction was not understood ({left}) and was left out of {t.text!r}; type the English prompt to fix it.")
    return t.text, t.backend
