from .letters import LetterDetailOut, LetterDraftIn, LetterEditIn, LetterOut, MarkSentIn, NoInput

__all__ = ["LetterDetailOut", "LetterDraftIn", "LetterEditIn", "LetterOut", "MarkSentIn", "NoInput"]
