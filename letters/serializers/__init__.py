from .letters import LetterDraftIn, LetterEditIn, LetterOut, MarkSentIn, NoInput

__all__ = ["LetterDraftIn", "LetterEditIn", "LetterOut", "MarkSentIn", "NoInput"]
