from .measures import CorrectionIn, InstrumentOut, MeasureIn, MeasureOut

__all__ = ["CorrectionIn", "InstrumentOut", "MeasureIn", "MeasureOut"]
