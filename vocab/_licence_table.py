"""The project's licence table: canonical IRIs, labels, openness and the aliases portals send.

Aliases are matched after folding (case, accents, punctuation) for text, and after dropping
http/https, ``www.`` and a final slash for URLs. Creative Commons and Open Data Commons URLs are also
matched by their path, so ``/legalcode``, ``/deed.nl`` and ``/legalcode.nl`` variants need no entry.
Facts from the Belgian federal harvester's mapping (fedict-vlaanderen-data-license.ttl) are included.
"""

from __future__ import annotations

__all__ = ["EU_LICENCE", "LICENCES", "VL_LICENCE"]

EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
VL_LICENCE = "https://data.vlaanderen.be/id/licentie/"

# iri: (labels by language, open?, aliases)
LICENCES: dict[str, tuple[dict[str, str], bool, tuple[str, ...]]] = {
    VL_LICENCE + "modellicentie-gratis-hergebruik/v1.0": (
        {"nl": "Modellicentie Gratis Hergebruik", "en": "Model licence for free reuse"},
        True,
        (
            "Gratis Hergebruik",
            "Vlaamse Open Data licentie",
            "Vlaamse Open Data Licentie v1.0",
            "Gratis Vlaamse Open Data",
            "gratis-hergebruik-1.0",
            "gratis-open-data-licentie",
            "gratis-open-data-licentie-1.1",
            "gratis-open-data-licentie-1.2",
            "Modellicentie gratis hergebruik v1.0",
            "http://overheid.vlaanderen.be/hergebruik/licenties/v1-0/html/modellicentie-gratis-hergebruik",
            "https://overheid.vlaanderen.be/sites/default/files/documenten/ict-egov/licenties/hergebruik/"
            "modellicentie_gratis_hergebruik_v1_0.html",
            "http://media.toerismevlaanderen.be/OpenData/licenties/modellicentie_gratis_hergebruik.html",
            "https://data.vlaanderen.be/doc/licentie/modellicentie-gratis-hergebruik/v1.0",
        ),
    ),
    VL_LICENCE + "modellicentie-hergebruik-tegen-vergoeding/v1.0": (
        {"nl": "Modellicentie Hergebruik tegen Vergoeding", "en": "Model licence for reuse against payment"},
        False,
        (
            "Hergebruik tegen vergoeding",
            "Modellicentie hergebruik tegen vergoeding v1.0",
            "https://data.vlaanderen.be/doc/licentie/modellicentie-hergebruik-tegen-vergoeding/v1.0",
        ),
    ),
    VL_LICENCE + "creative-commons-zero-verklaring/v1.0": (
        {"nl": "Creative Commons Zero verklaring", "en": "Creative Commons Zero declaration"},
        True,
        ("CC0 verklaring", "https://data.vlaanderen.be/doc/licentie/creative-commons-zero-verklaring/v1.0"),
    ),
    VL_LICENCE + "onvoorwaardelijk-hergebruik/v1.0": (
        {"nl": "Onvoorwaardelijk hergebruik", "en": "Unconditional reuse"},
        True,
        ("https://data.vlaanderen.be/doc/licentie/onvoorwaardelijk-hergebruik/v1.0",),
    ),
    EU_LICENCE + "CC0": (
        {"en": "Creative Commons CC0 1.0 Universal", "nl": "Creative Commons CC0 1.0 Universeel"},
        True,
        (
            "CC0",
            "CC0-1.0",
            "CC0 1.0",
            "cc-zero",
            "CC-0",
            "Creative Commons Zero",
            "Creative Commons Zero v1.0 Universal",
            "Creative Commons CC0",
            "Public Domain Dedication",
            "creativecommons.org/publicdomain/zero/1.0",
        ),
    ),
    EU_LICENCE + "CC_PDM_1_0": (
        {"en": "Creative Commons Public Domain Mark 1.0", "nl": "Creative Commons Public Domain Mark 1.0"},
        True,
        ("PDM", "Public Domain Mark", "creativecommons.org/publicdomain/mark/1.0"),
    ),
    EU_LICENCE + "CC_BY_4_0": (
        {
            "en": "Creative Commons Attribution 4.0 International",
            "nl": "Creative Commons Naamsvermelding 4.0 Internationaal",
        },
        True,
        (
            "CC-BY-4.0",
            "CC BY 4.0",
            "CC-BY 4.0",
            "cc-by",
            "cc-by-4",
            "CC BY",
            "Creative Commons Attribution",
            "Creative Commons Naamsvermelding",
            "Creative Commons Naamsvermelding 4.0",
            "Creative Commons Attribution 4.0",
            "creativecommons.org/licenses/by/4.0",
        ),
    ),
    EU_LICENCE + "CC_BY_3_0": (
        {"en": "Creative Commons Attribution 3.0", "nl": "Creative Commons Naamsvermelding 3.0"},
        True,
        (
            "CC-BY-3.0",
            "CC BY 3.0",
            "CC-BY 3.0",
            "creativecommons.org/licenses/by/3.0",
            "creativecommons.org/licenses/by/3.0/be",
        ),
    ),
    EU_LICENCE + "CC_BYSA_4_0": (
        {
            "en": "Creative Commons Attribution-ShareAlike 4.0 International",
            "nl": "Creative Commons Naamsvermelding-GelijkDelen 4.0 Internationaal",
        },
        True,
        (
            "CC-BY-SA-4.0",
            "CC BY-SA 4.0",
            "CC BY SA 4.0",
            "cc-by-sa",
            "Creative Commons Attribution Share-Alike",
            "creativecommons.org/licenses/by-sa/4.0",
        ),
    ),
    EU_LICENCE + "CC_BYSA_3_0": (
        {
            "en": "Creative Commons Attribution-ShareAlike 3.0",
            "nl": "Creative Commons Naamsvermelding-GelijkDelen 3.0",
        },
        True,
        ("CC-BY-SA-3.0", "CC BY-SA 3.0", "creativecommons.org/licenses/by-sa/3.0"),
    ),
    EU_LICENCE + "CC_BYNC_4_0": (
        {
            "en": "Creative Commons Attribution-NonCommercial 4.0 International",
            "nl": "Creative Commons Naamsvermelding-NietCommercieel 4.0 Internationaal",
        },
        False,
        (
            "CC-BY-NC-4.0",
            "CC BY-NC 4.0",
            "CC BY NC 4.0",
            "cc-nc",
            "cc-by-nc",
            "Creative Commons Non-Commercial",
            "creativecommons.org/licenses/by-nc/4.0",
        ),
    ),
    EU_LICENCE + "CC_BYND_4_0": (
        {
            "en": "Creative Commons Attribution-NoDerivatives 4.0 International",
            "nl": "Creative Commons Naamsvermelding-GeenAfgeleideWerken 4.0 Internationaal",
        },
        False,
        ("CC-BY-ND-4.0", "CC BY-ND 4.0", "cc-by-nd", "creativecommons.org/licenses/by-nd/4.0"),
    ),
    EU_LICENCE + "CC_BYNCSA_4_0": (
        {
            "en": "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
            "nl": "Creative Commons Naamsvermelding-NietCommercieel-GelijkDelen 4.0 Internationaal",
        },
        False,
        ("CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0", "cc-by-nc-sa", "creativecommons.org/licenses/by-nc-sa/4.0"),
    ),
    EU_LICENCE + "CC_BYNCND_4_0": (
        {
            "en": "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International",
            "nl": "Creative Commons Naamsvermelding-NietCommercieel-GeenAfgeleideWerken 4.0 Internationaal",
        },
        False,
        ("CC-BY-NC-ND-4.0", "CC BY-NC-ND 4.0", "cc-by-nc-nd", "creativecommons.org/licenses/by-nc-nd/4.0"),
    ),
    EU_LICENCE + "ODC_BY": (
        {"en": "Open Data Commons Attribution License 1.0"},
        True,
        (
            "ODC-By-1.0",
            "ODC-BY",
            "odc-by",
            "Open Data Commons Attribution",
            "opendatacommons.org/licenses/by/1.0",
            "opendatacommons.org/licenses/by",
        ),
    ),
    EU_LICENCE + "ODC_BL": (
        {"en": "Open Data Commons Open Database License 1.0 (ODbL)"},
        True,
        (
            "ODbL",
            "ODbL-1.0",
            "ODbL 1.0",
            "odc-odbl",
            "Open Database License",
            "opendatacommons.org/licenses/odbl/1.0",
            "opendatacommons.org/licenses/odbl",
        ),
    ),
    EU_LICENCE + "ODC_PDDL": (
        {"en": "Open Data Commons Public Domain Dedication and License 1.0"},
        True,
        (
            "PDDL",
            "PDDL-1.0",
            "odc-pddl",
            "opendatacommons.org/licenses/pddl/1.0",
            "opendatacommons.org/licenses/pddl",
        ),
    ),
    EU_LICENCE + "OGL_3_0": (
        {"en": "Open Government Licence 3.0"},
        True,
        (
            "OGL-UK-3.0",
            "uk-ogl",
            "OGL 3.0",
            "Open Government Licence",
            "nationalarchives.gov.uk/doc/open-government-licence/version/3",
        ),
    ),
    EU_LICENCE + "EUPL_1_2": (
        {"en": "European Union Public Licence 1.2"},
        True,
        ("EUPL-1.2", "EUPL 1.2", "EUPL"),
    ),
    EU_LICENCE + "APACHE_2_0": (
        {"en": "Apache License 2.0"},
        True,
        ("Apache-2.0", "Apache 2.0", "Apache License, Version 2.0", "apache.org/licenses/LICENSE-2.0"),
    ),
    EU_LICENCE + "MIT": (
        {"en": "MIT License"},
        True,
        ("MIT", "MIT License", "opensource.org/licenses/MIT"),
    ),
    EU_LICENCE + "GPL_3_0": (
        {"en": "GNU General Public License 3.0"},
        True,
        ("GPL-3.0", "GPL-3.0-only", "GPLv3", "gnu.org/licenses/gpl-3.0"),
    ),
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence": (
        {"fr": "Licence Ouverte / Open Licence", "en": "Open Licence (Etalab)"},
        True,
        (
            "Licence Ouverte",
            "Open Licence",
            "Licence Ouverte 2.0",
            "Licence Ouverte v2.0",
            "Open Licence 2.0",
            "Open Licence v2.0",
            "Licence Ouverte / Open Licence",
            "Licence Ouverte / Open Licence version 2.0",
            "etalab-2.0",
            "lov2",
            "fr-lo",
            "etalab.gouv.fr/licence-ouverte-open-licence",
            "etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
        ),
    ),
}
