"""The OAI-PMH 2.0 endpoint, `/oai`: the six verbs over papers and tombstones.

A plain view: the protocol is six verbs with a handful of arguments and a
fixed XML vocabulary, which no Django framework models better than a
function per verb (oai/protocol.py parses, oai/records.py queries,
oai/xml.py writes).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oai import records, xml
from oai.protocol import (
    METADATA_PREFIX,
    OAIError,
    datestamp,
    encode_token,
    list_request,
    parse,
)

PROTOCOL_VERSION = "2.0"


def repository_identifier(request) -> str:
    """The `oai:<this>:<slug>` part of every identifier: OAI_REPOSITORY_IDENTIFIER,
    or the host the site answers to (identifiers must not change with it, so
    set it in production when the site has several names)."""
    configured = getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "")
    return configured or request.get_host().rsplit(":", 1)[0].strip("[]")


class Repository:
    """One request's view of the repository: its identifiers and URLs."""

    def __init__(self, request):
        self.request = request
        self.prefix = f"oai:{repository_identifier(request)}:"
        # build_absolute_uri() checks the host on every call: once is enough.
        self.origin = request.build_absolute_uri("/")[:-1]

    def identifier(self, slug: str) -> str:
        return self.prefix + slug

    def slug(self, identifier: str) -> str | None:
        if identifier.startswith(self.prefix):
            return identifier[len(self.prefix) :] or None
        return None

    def page_url(self, paper) -> str:
        return self.origin + paper.get_absolute_url()

    def named(self, items):
        for item in items:
            item.identifier = self.identifier(item.slug)
        return items

    def find(self, identifier: str, *, with_record: bool):
        slug = self.slug(identifier)
        item = records.find(slug, with_record=with_record) if slug else None
        if item is None:
            raise OAIError("idDoesNotExist", f"There is no item {identifier[:200]!r} here.")
        return self.named([item])[0]


def admin_email(request) -> str:
    email = getattr(settings, "CONTACT_EMAIL", "") or getattr(settings, "OAI_ADMIN_EMAIL", "")
    if email:
        return email
    host = request.get_host().rsplit(":", 1)[0]
    # The schema wants a dotted domain; a bare host name (localhost) gets one.
    return f"webmaster@{host}" if "." in host else f"webmaster@{host}.localdomain"


def identify(repo: Repository, args) -> str:
    earliest = records.earliest_datestamp() or timezone.now()
    return (
        "<Identify>"
        + xml.element("repositoryName", "Papershelf")
        + xml.element("baseURL", base_url(repo.request))
        + xml.element("protocolVersion", PROTOCOL_VERSION)
        + xml.element("adminEmail", admin_email(repo.request))
        + xml.element("earliestDatestamp", datestamp(earliest))
        + xml.element("deletedRecord", "persistent")
        + xml.element("granularity", "YYYY-MM-DDThh:mm:ssZ")
        + "</Identify>"
    )


def list_metadata_formats(repo: Repository, args) -> str:
    if "identifier" in args:
        repo.find(args["identifier"], with_record=False)
    return (
        "<ListMetadataFormats><metadataFormat>"
        + xml.element("metadataPrefix", METADATA_PREFIX)
        + xml.element("schema", xml.OAI_DC_SCHEMA)
        + xml.element("metadataNamespace", xml.OAI_DC_NS)
        + "</metadataFormat></ListMetadataFormats>"
    )


def list_sets(repo: Repository, args) -> str:
    if "resumptionToken" in args:
        # Every set comes in one answer, so no token was ever handed out.
        raise OAIError("badResumptionToken", "ListSets hands out no resumption tokens.")
    sets = records.sets()
    if not sets:
        raise OAIError("noSetHierarchy", "The catalog has no venues with papers yet.")
    body = "".join(
        f"<set>{xml.element('setSpec', spec)}{xml.element('setName', name)}</set>"
        for spec, name in sets
    )
    return f"<ListSets>{body}</ListSets>"


def get_record(repo: Repository, args) -> str:
    if args["metadataPrefix"] != METADATA_PREFIX:
        raise OAIError(
            "cannotDisseminateFormat", f"{args['metadataPrefix'][:40]!r} is not a format here."
        )
    item = repo.find(args["identifier"], with_record=True)
    return f"<GetRecord>{xml.record(item, repo.page_url)}</GetRecord>"


def list_items(repo: Repository, args, *, verb: str, with_records: bool) -> str:
    request = list_request(args)
    items, more = records.batch(request, with_records=with_records)
    if not items:
        # Only a first request can match nothing: a token is only handed out
        # when at least one more item followed its batch.
        raise OAIError("noRecordsMatch", "No items match these arguments.")
    repo.named(items)
    if with_records:
        body = "".join(xml.record(item, repo.page_url) for item in items)
    else:
        body = "".join(xml.header(item) for item in items)
    if more:
        body += xml.resumption_token(encode_token(request, items[-1].position))
    elif "resumptionToken" in args:
        body += xml.resumption_token(None)
    return f"<{verb}>{body}</{verb}>"


VERB_HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda repo, args: list_items(
        repo, args, verb="ListIdentifiers", with_records=False
    ),
    "ListRecords": lambda repo, args: list_items(repo, args, verb="ListRecords", with_records=True),
}


def base_url(request) -> str:
    return request.build_absolute_uri(reverse("oai:endpoint"))


@csrf_exempt  # OAI-PMH allows POST requests; they change nothing.
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    params = request.POST if request.method == "POST" else request.GET
    repo = Repository(request)
    echoed: dict[str, str] = {}
    try:
        if any("\x00" in key or "\x00" in value for key, value in params.items()):
            raise OAIError("badArgument", "NUL characters are not allowed in arguments.")
        parsed = parse(params)
        echoed = {"verb": parsed.verb, **parsed.args}
        body = VERB_HANDLERS[parsed.verb](repo, parsed.args)
    except OAIError as problem:
        if problem.code in ("badVerb", "badArgument"):
            echoed = {}
        body = xml.error(problem.code, problem.message)
    now = datetime.datetime.now(datetime.UTC)
    content = xml.envelope(base_url(request), now, echoed, body)
    return HttpResponse(content, content_type="text/xml; charset=utf-8")
