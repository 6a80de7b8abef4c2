"""OAI-PMH responses as XML text.

Built as strings rather than through a template: a batch of 100 records is
a few thousand elements, and every text goes through one function that both
escapes it and drops the characters XML 1.0 cannot carry at all (a control
character pasted into an abstract would otherwise make the whole batch
unparseable for every harvester).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from oai.protocol import datestamp

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def text(value) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def attr(value) -> str:
    return quoteattr(_NOT_XML.sub("", str(value)))


def element(name: str, value) -> str:
    return f"<{name}>{text(value)}</{name}>"


def envelope(base_url: str, response_date, request_args: dict[str, str], body: str) -> str:
    """The whole response. `request_args` are echoed as the request element's
    attributes (none after badVerb or badArgument, as the protocol says)."""
    attributes = "".join(f" {key}={attr(value)}" for key, value in request_args.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">'
        f"<responseDate>{datestamp(response_date)}</responseDate>"
        f"<request{attributes}>{text(base_url)}</request>"
        f"{body}</OAI-PMH>\n"
    )


def error(code: str, message: str) -> str:
    return f"<error code={attr(code)}>{text(message)}</error>"


def header(item) -> str:
    status = ' status="deleted"' if item.deleted else ""
    parts = [
        element("identifier", item.identifier),
        element("datestamp", datestamp(item.stamp)),
    ]
    if item.set_spec:
        parts.append(element("setSpec", item.set_spec))
    return f"<header{status}>{''.join(parts)}</header>"


def record(item, page_url) -> str:
    if item.deleted:
        return f"<record>{header(item)}</record>"
    return f"<record>{header(item)}<metadata>{oai_dc(item.paper, page_url)}</metadata></record>"


def oai_dc(paper, page_url) -> str:
    """A paper as unqualified Dublin Core: title, creators in author order,
    date, identifiers (page, DOI, arXiv, its own URL), abstract, venue, type."""
    parts = [element("dc:title", paper.title)]
    parts += [element("dc:creator", name) for name in paper.creators]
    if paper.published_on:
        parts.append(element("dc:date", paper.published_on.isoformat()))
    elif paper.year:
        parts.append(element("dc:date", paper.year))
    identifiers = [page_url(paper)]
    if paper.doi:
        identifiers.append(f"https://doi.org/{paper.doi}")
    if paper.arxiv_id:
        identifiers.append(f"https://arxiv.org/abs/{paper.arxiv_id}")
    if paper.url and paper.url not in identifiers:
        identifiers.append(paper.url)
    parts += [element("dc:identifier", value) for value in identifiers]
    if paper.abstract:
        parts.append(element("dc:description", paper.abstract))
    if paper.venue:
        parts.append(element("dc:source", paper.venue.name))
        parts.append(element("dc:publisher", paper.venue.name))
    parts.append(element("dc:type", "Text"))
    return (
        f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
        f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">{"".join(parts)}</oai_dc:dc>'
    )


def resumption_token(token: str | None) -> str:
    """The token element; empty on a list's last batch of a resumed list."""
    if token is None:
        return "<resumptionToken/>"
    return f"<resumptionToken>{text(token)}</resumptionToken>"
