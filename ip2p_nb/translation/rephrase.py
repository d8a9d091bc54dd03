"""Any translator's English -> a short imperative edit prompt, the form InstructPix2Pix was trained on.

A neural translator answers the way people talk: "Please help me make the sky in the picture become
night.", "Let the light come from the left", "I want the cat to wear a hat". InstructPix2Pix
follows short commands ("make the sky night", "light from the left"); the polite words and the
picture that is always there only dilute the prompt. `rephrase(english)` applies the rules of
`_RULES` in order, each a regular expression and its replacement, until nothing changes; it keeps
every content word, and a prompt that is already a short command (the built-in translator's)
comes back as it was. Capitals are left as they came (CLIP's tokenizer lowercases the prompt anyway).
`chain.translate` applies it to the reply of every backend.
"""

import re

__all__ = ["rephrase"]

_PICTURE = r"(?:picture|photo|photograph|image|pic|painting|drawing)"
_SIDE = r"(?:the (?:left|right|top|bottom|front|back|side|upper left|upper right)|above|below|behind)"

_RULES = [
    # 1. politeness and wishes around the command
    (r"^(?:please|kindly|pls)[, ]+", ""),                                     # Please make ... -> make ...
    (r"^(?:could|can|would|will) you(?: please)?[, ]+", ""),                    # Can you add ... -> add ...
    (r"^(?:help me|help|i (?:want|would like|'d like|wish|hope)(?: you)?|i want to|we want to)(?: to)?[, ]+"
     r"(?=(?:make|let|turn|change|replace|add|remove|put|give|keep|paint|dye|light|brighten|darken|restore|repair|"
     r"convert|transform|set|get|delete|erase|use)\b)", ""),                    # Help me remove ... -> remove ...
    (r"^i (?:want|would like|'d like|wish|hope) (the .+?) to (?:be )?", r"make \1 "),  # I want the cat to wear a hat
    (r"[, ]+(?:please|thank you|thanks)$", ""),                                # ..., please
    # 2. the picture that every edit is about
    (rf"\s+(?:in|of|from|within) (?:the|this|that|my) {_PICTURE}\b", ""),     # the sky in the picture -> the sky
    (rf"^(?:in|on) (?:the|this) {_PICTURE},?\s+", ""),                         # In the picture, add ...
    # 3. light from a side
    (rf"^(?:let|make|have) (?:the )?(light|lighting|sunlight|sun) (?:come|comes|shine|shines|hit|hits|fall|falls|"
     rf"be cast|cast)(?: in)? from ({_SIDE})\b", r"\1 from \2"),               # Let the light come from the left
    # 4. let / make X become Y -> make X Y; X becomes Y -> make X Y
    (r"^(?:let|have) ", "make "),                                              # Let her smile -> make her smile
    (rf"^make (?:the|this|the whole) {_PICTURE} ", "make it "),               # make the picture a snowy day
    (r"^make (.+?) (?:become|becomes|be turned into|be changed into|"
     r"to become|to be|be) ", r"make \1 "),                                     # make the sky become night
    (r"^(the .+?|it) (?:becomes|become|gets|turns|turn) (?!into\b)", r"make \1 "),  # The sky becomes darker
    (r"^(the .+?|it) (?:turns|turn|changes|change) into ", r"turn \1 into "),  # The cat turns into a tiger
    (r"^make (.+?) (?:turn|change) into ", r"turn \1 into "),                  # make the cat turn into a tiger
]


def rephrase(english):
    """A translator's English as a short imperative edit prompt ("make the sky night")."""
    if not isinstance(english, str):
        return english
    text = re.sub(r"\s+", " ", english).strip().rstrip(".。!！?？")
    if re.match(r"(The|This|It|A|An) ", text):
        text = text[0].lower() + text[1:]  # The sky becomes dark -> make the sky dark, not "make The sky"
    changed = True
    while changed:
        changed = False
        for pattern, replacement in _RULES:
            new = re.sub(pattern, replacement, text, flags=re.IGNORECASE).strip(" ,")
            if new != text and new:
                text, changed = new, True
    return text
