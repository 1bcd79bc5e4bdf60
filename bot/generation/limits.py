"""The documented limits of the Wan 2.6 reference-to-video models (the API contract's "Model
rules": Alibaba Model Studio's Wan 2.6 reference-to-video reference)."""

from typing import Final, Literal

Kind = Literal["image", "video"]

FLASH_MODEL: Final = "wan2.6-r2v-flash"
FULL_MODEL: Final = "wan2.6-r2v"
MODELS: Final[tuple[str, ...]] = (FLASH_MODEL, FULL_MODEL)
# Only flash honours `audio`; wan2.6-r2v always renders sound.
MODELS_THAT_CAN_BE_SILENT: Final = frozenset({FLASH_MODEL})

SHOT_TYPES: Final[tuple[str, ...]] = ("single", "multi")

# size -> (tier, aspect label), in the order the documentation lists them.
SIZES: Final[dict[str, tuple[str, str]]] = {
    "1280*720": ("720P", "16:9 landscape"),
    "720*1280": ("720P", "9:16 portrait"),
    "960*960": ("720P", "1:1 square"),
    "1088*832": ("720P", "4:3 landscape"),
    "832*1088": ("720P", "3:4 portrait"),
    "1920*1080": ("1080P", "16:9 landscape"),
    "1080*1920": ("1080P", "9:16 portrait"),
    "1440*1440": ("1080P", "1:1 square"),
    "1632*1248": ("1080P", "4:3 landscape"),
    "1248*1632": ("1080P", "3:4 portrait"),
}

PROMPT_MAX_CHARS: Final = 1500
NEGATIVE_PROMPT_MAX_CHARS: Final = 500

DURATION_MIN_S: Final = 2
DURATION_MAX_S: Final = 10
DEFAULT_DURATION_S: Final = 5

SEED_MIN: Final = 0
SEED_MAX: Final = 2_147_483_647

REFERENCES_MIN: Final = 1
REFERENCES_MAX: Final = 5
VIDEO_REFERENCES_MAX: Final = 3

# A later page allows 8000 px / 20 MB; the stricter documented rule is the safe one.
IMAGE_SIDE_MIN_PX: Final = 240
IMAGE_SIDE_MAX_PX: Final = 5000
IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024
VIDEO_MAX_BYTES: Final = 100 * 1024 * 1024

IMAGE_CONTENT_TYPES: Final[dict[str, str]] = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/bmp": "BMP",
    "image/x-bmp": "BMP",
    "image/x-ms-bmp": "BMP",
    "image/webp": "WEBP",
}
VIDEO_CONTENT_TYPES: Final[dict[str, str]] = {
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
}
IMAGE_EXTENSIONS: Final = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
VIDEO_EXTENSIONS: Final = frozenset({".mp4", ".mov"})

# Billed seconds add the reference clips' seconds, capped at this in all.
BILLED_REFERENCE_VIDEO_CAP_S: Final = 5


def size_tier(size: str) -> str:
    """'720P' or '1080P' for a documented size."""
    return SIZES[size][0]
