"""What is wrong with a request, as values with no words in them. Pure.

Validation produces `Problem`s; `bot/messages/validation.py` words them. Keeping English out
of the checks lets the same problem be shown in another language later, and lets tests and
logs name a problem by its code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

ParamValue = str | int | tuple[str | int, ...]


class ProblemCode(StrEnum):
    """Every kind of refusal (and of notice, at the end) validation can report."""

    PROMPT_MISSING = "prompt_missing"
    PROMPT_INVISIBLE = "prompt_invisible"
    PROMPT_TOO_LONG = "prompt_too_long"
    NEGATIVE_PROMPT_INVISIBLE = "negative_prompt_invisible"
    NEGATIVE_PROMPT_TOO_LONG = "negative_prompt_too_long"
    # A character the task store cannot keep (see `bot.generation.storable`).
    PROMPT_UNSTORABLE = "prompt_unstorable"
    NEGATIVE_PROMPT_UNSTORABLE = "negative_prompt_unstorable"

    MODEL_UNKNOWN = "model_unknown"
    SIZE_NOT_OFFERED = "size_not_offered"
    DURATION_OUT_OF_RANGE = "duration_out_of_range"
    SHOT_TYPE_UNKNOWN = "shot_type_unknown"
    SEED_OUT_OF_RANGE = "seed_out_of_range"
    SILENT_NEEDS_FLASH = "silent_needs_flash"

    REFERENCES_MISSING = "references_missing"
    TOO_MANY_REFERENCES = "too_many_references"
    TOO_MANY_VIDEOS = "too_many_videos"
    CHARACTER_OUT_OF_RANGE = "character_out_of_range"

    ATTACHMENT_TYPE = "attachment_type"
    IMAGE_TOO_HEAVY = "image_too_heavy"
    VIDEO_TOO_HEAVY = "video_too_heavy"
    IMAGE_TOO_SMALL = "image_too_small"
    IMAGE_TOO_LARGE = "image_too_large"
    ATTACHMENT_UNSTORABLE = "attachment_unstorable"

    LINK_NOT_WEB_ADDRESS = "link_not_web_address"
    LINK_BACKSLASH_IN_HOST = "link_backslash_in_host"
    LINK_HAS_USER_INFO = "link_has_user_info"
    LINK_BAD_PORT = "link_bad_port"
    LINK_BAD_IPV6 = "link_bad_ipv6"
    LINK_ZONE_ID = "link_zone_id"
    LINK_BAD_IPV4 = "link_bad_ipv4"
    LINK_BAD_PERCENT_ENCODING = "link_bad_percent_encoding"
    LINK_BAD_HOST = "link_bad_host"
    LINK_PRIVATE_ADDRESS = "link_private_address"
    LINK_LOCAL_NAME = "link_local_name"
    LINK_NOT_A_FILE = "link_not_a_file"
    LINK_UNSTORABLE = "link_unstorable"

    # The cast (bot/generation/cast.py): names, descriptions, clip length, choosing members.
    CAST_NAME_MISSING = "cast_name_missing"
    CAST_NAME_TOO_LONG = "cast_name_too_long"
    CAST_NAME_COMMA = "cast_name_comma"
    CAST_NAME_INVISIBLE = "cast_name_invisible"
    CAST_NAME_NO_LETTER = "cast_name_no_letter"
    CAST_NAME_RESERVED = "cast_name_reserved"
    CAST_DESCRIPTION_TOO_LONG = "cast_description_too_long"
    CLIP_LENGTH = "clip_length"
    CAST_UNKNOWN = "cast_unknown"
    CAST_REPEATED = "cast_repeated"
    CAST_TOO_MANY_REFERENCES = "cast_too_many_references"
    CAST_TOO_MANY_CLIPS = "cast_too_many_clips"
    CAST_PROMPT_TOO_LONG = "cast_prompt_too_long"
    CAST_NEGATIVE_PROMPT_TOO_LONG = "cast_negative_prompt_too_long"
    CAST_CHARACTER_OUT_OF_RANGE = "cast_character_out_of_range"
    # A file offered to the cast (bot/cast/files.py), judged once when it is added.
    CAST_SOURCE_MISSING = "cast_source_missing"
    CAST_SOURCE_TWICE = "cast_source_twice"
    CAST_LINK_NOT_DISCORD = "cast_link_not_discord"
    CAST_FILE_UNREADABLE = "cast_file_unreadable"
    CAST_IMAGE_TRANSPARENT = "cast_image_transparent"
    CAST_CLIP_UNREADABLE = "cast_clip_unreadable"
    CAST_CLIP_TOO_BIG = "cast_clip_too_big"

    # Notices: shown with an accepted request, never a reason to refuse it.
    CHARACTER_NAME_SPACED = "character_name_spaced"
    CHARACTERS_NEVER_NAMED = "characters_never_named"
    CAST_NOT_CHOSEN = "cast_not_chosen"
    CAST_NEVER_NAMED = "cast_never_named"


@dataclass(frozen=True)
class Problem:
    """One thing the user must change (or, for notices, should know), with the values the
    sentence needs. Params hold plain values only: strings, ints and tuples of them."""

    code: ProblemCode
    params: Mapping[str, ParamValue] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # A read-only copy, so a frozen Problem cannot change through the dict it was given.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __reduce__(self) -> tuple[type[Problem], tuple[ProblemCode, dict[str, ParamValue]]]:
        # A mapping proxy cannot be pickled or deep-copied; a plain dict rebuilds one.
        return (Problem, (self.code, dict(self.params)))

    def __str__(self) -> str:
        """The code and params, for logs; users read `messages.validation.describe_problem`."""
        shown = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.code}({shown})"


def problem(code: ProblemCode, **params: ParamValue) -> Problem:
    """`Problem(code, {...})` written as keywords."""
    return Problem(code, params)
