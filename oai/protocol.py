"""OAI-PMH 2.0 requests: arguments, errors, datestamps and resumption tokens.

Everything here is about the protocol, nothing about papers: the verbs'
legal arguments (section 3.1.1 of the specification), the error codes
(section 3.6), the UTC datestamps at two granularities (section 3.3), and
the resumption tokens.

A resumption token is a keyset cursor, not an offset: it carries the
request's own arguments and the (datestamp, kind, id) of the last item
handed out. The next batch starts strictly after that position, so papers
added, changed or deleted meanwhile never shift the batches: an item
changed during a harvest moves to the end (and is harvested again, as it
changed), and nothing is skipped. Tokens are signed so that a forged or
truncated one is a badResumptionToken rather than an arbitrary query, and
they never expire.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core import signing

BATCH_SIZE = 100
METADATA_PREFIX = "oai_dc"
TOKEN_SALT = "papershelf.oai.resumption"

# Verb -> (required arguments, optional arguments). A resumptionToken is
# exclusive: it may only come alone (checked in parse()).
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}

# The schema's patterns for these two arguments (OAI-PMH.xsd): a value
# outside them could never name a format or set, and could not be echoed.
_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OAIError(Exception):
    """One protocol error: `code` is one of the specification's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Position:
    """Where a list stopped: the last item's datestamp, kind (0 a paper, 1 a
    deleted paper: papers sort first at one instant) and id."""

    stamp: datetime.datetime
    kind: int
    id: int


@dataclass(frozen=True)
class ListRequest:
    """The selective-harvesting arguments of ListIdentifiers / ListRecords."""

    prefix: str
    set_spec: str | None = None
    start: datetime.datetime | None = None  # inclusive
    end: datetime.datetime | None = None  # exclusive
    after: Position | None = None


@dataclass
class Request:
    verb: str
    args: dict[str, str]


def parse(params) -> Request:
    """The verb and its arguments from a QueryDict; OAIError for a bad one.

    Raises badVerb for a missing, repeated or unknown verb, badArgument for a
    repeated, missing or illegal argument."""
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        if not verbs:
            raise OAIError("badVerb", "The request has no verb.")
        if len(verbs) > 1:
            raise OAIError("badVerb", "The verb argument is repeated.")
        raise OAIError("badVerb", f"{verbs[0][:40]!r} is not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    args = {}
    for key, values in params.lists():
        if key == "verb":
            continue
        if key not in required | optional:
            raise OAIError("badArgument", f"{verb} does not take the argument {key[:40]!r}.")
        if len(values) > 1:
            raise OAIError("badArgument", f"The argument {key!r} is repeated.")
        args[key] = values[0]
    for key, pattern in (("metadataPrefix", _PREFIX), ("set", _SPEC)):
        if key in args and not pattern.match(args[key]):
            raise OAIError("badArgument", f"{args[key][:40]!r} is not a valid {key}.")
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
    else:
        missing = sorted(required - args.keys())
        if missing:
            raise OAIError("badArgument", f"{verb} needs the argument {missing[0]!r}.")
    return Request(verb, args)


def parse_datestamp(value: str, *, end: bool) -> tuple[datetime.datetime, str]:
    """A `from` (end=False) or `until` (end=True) value as a bound on the
    datestamp, and its granularity.

    Datestamps are given to the second while the database keeps
    microseconds, so both bounds are whole seconds or days: `until` is
    inclusive, and becomes the exclusive start of the next second (or day)."""
    if _SECOND.match(value):
        fmt, step, granularity = "%Y-%m-%dT%H:%M:%SZ", datetime.timedelta(seconds=1), "second"
    elif _DAY.match(value):
        fmt, step, granularity = "%Y-%m-%d", datetime.timedelta(days=1), "day"
    else:
        raise OAIError(
            "badArgument", f"{value[:40]!r} is not a UTC datestamp (YYYY-MM-DD[Thh:mm:ssZ])."
        )
    try:
        moment = datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.UTC)
    except ValueError as error:
        raise OAIError("badArgument", f"{value!r} is not a valid date: {error}.") from error
    if end:
        try:
            moment += step
        except OverflowError:
            # 9999-12-31: nothing is later, so no upper bound at all.
            return datetime.datetime.max.replace(tzinfo=datetime.UTC), granularity
    return moment, granularity


def list_request(args: dict[str, str]) -> ListRequest:
    """The ListIdentifiers / ListRecords arguments, from a resumption token or not."""
    if "resumptionToken" in args:
        return decode_token(args["resumptionToken"])
    prefix = args["metadataPrefix"]
    if prefix != METADATA_PREFIX:
        raise OAIError("cannotDisseminateFormat", f"{prefix[:40]!r} is not a metadata format here.")
    start = end = None
    granularities = set()
    if "from" in args:
        start, granularity = parse_datestamp(args["from"], end=False)
        granularities.add(granularity)
    if "until" in args:
        end, granularity = parse_datestamp(args["until"], end=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if start is not None and end is not None and start >= end:
        raise OAIError("badArgument", "from is later than until.")
    return ListRequest(prefix=prefix, set_spec=args.get("set"), start=start, end=end)


def _stamp(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text is not None else None


def encode_token(request: ListRequest, after: Position) -> str:
    payload = {
        "p": request.prefix,
        "s": request.set_spec,
        "f": _stamp(request.start),
        "u": _stamp(request.end),
        "a": [after.stamp.isoformat(), after.kind, after.id],
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def decode_token(token: str) -> ListRequest:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        stamp, kind, pk = payload["a"]
        return ListRequest(
            prefix=payload["p"],
            set_spec=payload["s"],
            start=_moment(payload["f"]),
            end=_moment(payload["u"]),
            after=Position(datetime.datetime.fromisoformat(stamp), int(kind), int(pk)),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise OAIError("badResumptionToken", "The resumption token is not valid.") from error


def datestamp(moment: datetime.datetime) -> str:
    """A datestamp as OAI-PMH writes them: UTC, to the second."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
