"""EIP Assistant: grounded answers and evidence dossiers for eco-industrial park assessments.

Importing this package is cheap: torch, chromadb and gradio load only when used.
"""

from assistant.errors import EIPError, IndexMismatchError, IndexMissingError
from assistant.settings import Settings, load_settings
from assistant.types import REFUSAL, Answer, Chunk, Citation

__all__ = [
    "REFUSAL",
    "Answer",
    "Chunk",
    "Citation",
    "EIPError",
    "IndexMismatchError",
    "IndexMissingError",
    "Settings",
    "load_settings",
]
__version__ = "0.1.0"
