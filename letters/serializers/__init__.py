from .letters import LetterApproveIn, LetterDetailOut, LetterDraftIn, LetterEditIn, LetterOut, MarkSentIn, NoInput

__all__ = ["LetterApproveIn", "LetterDetailOut", "LetterDraftIn", "LetterEditIn", "LetterOut", "MarkSentIn", "NoInput"]
