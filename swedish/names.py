"""Names of Swedish public organisations as they are written: "Region Örebro län", "Lindesbergs
kommun", "Göteborgs stad", "Länsstyrelsen i Västmanlands län", "Skolverket", "Socialstyrelsen",
"Folkhälsomyndigheten", "Regeringskansliet", "Statens skolverk" …"""

from __future__ import annotations

import re

_CAP = r"[A-ZÅÄÖ][\wåäöéü-]+"
ORGANISATION_RE = re.compile(
    rf"\b(?:Region {_CAP}(?: län)?|{_CAP} kommun|{_CAP} stad|Länsstyrelsen i {_CAP}(?: län)?|"
    rf"Statens {_CAP}(?: {_CAP})?|Regeringskansliet|Regeringen|Sveriges riksdag|Riksdagen|"
    rf"[A-ZÅÄÖ][a-zåäö]+(?:verket|styrelsen|myndigheten|inspektionen|kassan|rådet|nämnden|institutet|ämbetet))\b")


def organisations(text: str) -> list[str]:
    """Organisation names in ``text``, in order of first appearance, each once."""
    found: list[str] = []
    for match in ORGANISATION_RE.finditer(text):
        name = match.group(0)
        if name not in found:
            found.append(name)
    return found
