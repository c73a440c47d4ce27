from .letters import LetterApproveIn, LetterDraftIn, LetterEditIn, LetterOut, MarkSentIn, NoInput

__all__ = ["LetterApproveIn", "LetterDraftIn", "LetterEditIn", "LetterOut", "MarkSentIn", "NoInput"]
