"""The steward workspace's words in Dutch and English (merged into ``catalog.web.i18n.MESSAGES``)."""

from __future__ import annotations

__all__ = ["STEWARD_MESSAGES"]

_ACTIONS = {
    "created": ("nieuw", "created"),
    "updated": ("bijgewerkt", "updated"),
    "unchanged": ("ongewijzigd", "unchanged"),
    "restored": ("hersteld", "restored"),
    "linked": ("gekoppeld", "linked"),
    "withdrawn": ("ingetrokken", "withdrawn"),
    "failed": ("mislukt", "failed"),
    "skipped": ("overgeslagen", "skipped"),
}
_STATUSES = {
    "queued": ("in de wachtrij", "queued"),
    "running": ("bezig", "running"),
    "succeeded": ("geslaagd", "succeeded"),
    "partial": ("gedeeltelijk", "partial"),
    "failed": ("mislukt", "failed"),
    "aborted": ("afgebroken", "aborted"),
}
_SCHEDULES = {
    "daily": ("dagelijks", "daily"),
    "weekly": ("wekelijks", "weekly"),
    "monthly": ("maandelijks", "monthly"),
    "manual": ("enkel met de hand", "manual only"),
}

STEWARD_MESSAGES: dict[str, dict[str, str]] = {
    "nav_steward": {"nl": "Beheer", "en": "Stewards"},
    "steward_workspace": {"nl": "Beheer van bronnen", "en": "Source management"},
    "sign_in": {"nl": "Aanmelden", "en": "Sign in"},
    "sign_in_title": {"nl": "Aanmelden als databeheerder", "en": "Sign in as a data steward"},
    "sign_in_text": {
        "nl": "Meld je aan met het API-token dat je van de beheerder van de catalogus kreeg.",
        "en": "Sign in with the API token the catalogue's administrator gave you.",
    },
    "token_label": {"nl": "API-token", "en": "API token"},
    "login_refused": {
        "nl": "Dit token is onbekend of ingetrokken.",
        "en": "This token is unknown or revoked.",
    },
    "signed_out": {"nl": "Je bent afgemeld.", "en": "You are signed out."},
    "sign_out": {"nl": "Afmelden", "en": "Sign out"},
    "signed_in_as": {"nl": "Aangemeld als {name}", "en": "Signed in as {name}"},
    "role_admin": {"nl": "beheerder", "en": "admin"},
    "role_steward": {"nl": "databeheerder", "en": "steward"},
    "your_sources": {"nl": "Jouw bronnen", "en": "Your sources"},
    "no_sources": {"nl": "Je beheert nog geen bronnen.", "en": "You manage no sources yet."},
    "add_source": {"nl": "Bron toevoegen", "en": "Add a source"},
    "edit_source": {"nl": "Instellingen aanpassen", "en": "Change the settings"},
    "add_source_text": {
        "nl": "Test de bron eerst: je ziet wat de catalogus van de eerste records maakt, zonder iets op"
        " te slaan. Bewaar ze daarna.",
        "en": "Test the source first: you see what the catalogue makes of its first records, and nothing"
        " is saved. Then save it.",
    },
    "kind": {"nl": "Soort portaal", "en": "Portal kind"},
    "organisation": {"nl": "Organisatie", "en": "Organisation"},
    "organisation_optional": {"nl": "Organisatie (optioneel)", "en": "Organisation (optional)"},
    "municipality_nis": {"nl": "Gemeente (NIS-code)", "en": "Municipality (NIS code)"},
    "schedule": {"nl": "Oogstritme", "en": "Schedule"},
    "options": {"nl": "Opties", "en": "Options"},
    "options_label": {"nl": "Opties (één sleutel=waarde per regel)", "en": "Options (one key=value a line)"},
    "options_help": {
        "nl": "Bijvoorbeeld language=fr of rows=100. Laat leeg voor de standaardwaarden.",
        "en": "For example language=fr or rows=100. Leave empty for the defaults.",
    },
    "options_per_kind": {"nl": "Opties per soort portaal", "en": "Options per portal kind"},
    "test_source": {"nl": "Testen", "en": "Test"},
    "save_source": {"nl": "Bewaren", "en": "Save"},
    "form_has_errors": {
        "nl": "Het formulier bevat fouten; ze staan bij de velden.",
        "en": "The form has errors; they are shown next to the fields.",
    },
    "name_required": {"nl": "Geef de bron een naam.", "en": "Give the source a name."},
    "url_required": {"nl": "Geef de URL van het portaal.", "en": "Give the portal's URL."},
    "kind_unknown": {
        "nl": "Kies een soort portaal uit de lijst.",
        "en": "Choose a portal kind from the list.",
    },
    "schedule_unknown": {"nl": "Kies een ritme uit de lijst.", "en": "Choose a schedule from the list."},
    "out_of_scope": {
        "nl": "Je token beheert deze gemeente of organisatie niet.",
        "en": "Your token does not manage this municipality or organisation.",
    },
    "see_existing": {"nl": "Bekijk die bron", "en": "See that source"},
    "preview_title": {"nl": "Resultaat van de test", "en": "Test result"},
    "preview_counts": {
        "nl": "{ok} records bruikbaar, {failed} mislukt, {skipped} overgeslagen.",
        "en": "{ok} records usable, {failed} failed, {skipped} skipped.",
    },
    "preview_all": {"nl": "Dit zijn alle records van de bron.", "en": "These are all the source's records."},
    "status_record_ok": {"nl": "bruikbaar", "en": "usable"},
    "status_record_failed": {"nl": "mislukt", "en": "failed"},
    "status_record_skipped": {"nl": "overgeslagen", "en": "skipped"},
    "original": {"nl": "origineel", "en": "original"},
    "problems_n": {"nl": "{n} opmerkingen", "en": "{n} problems"},
    "no_problems": {"nl": "Geen opmerkingen.", "en": "No problems."},
    "severity_violation": {"nl": "Fout", "en": "Violation"},
    "severity_warning": {"nl": "Waarschuwing", "en": "Warning"},
    "severity_info": {"nl": "Info", "en": "Info"},
    "fetch_diagnostics": {"nl": "Opgehaalde pagina's", "en": "Fetch diagnostics"},
    "fetch_summary": {"nl": "{pages} pagina's in {ms} ms.", "en": "{pages} pages in {ms} ms."},
    "http_status": {"nl": "HTTP-status", "en": "HTTP status"},
    "content_type": {"nl": "Inhoudstype", "en": "Content type"},
    "inactive": {"nl": "niet actief", "en": "inactive"},
    "last_run": {"nl": "Laatste oogst", "en": "Last run"},
    "run_harvest": {"nl": "Nu oogsten", "en": "Harvest now"},
    "deactivate": {"nl": "Deactiveren", "en": "Deactivate"},
    "activate": {"nl": "Activeren", "en": "Activate"},
    "runs": {"nl": "Oogsten", "en": "Runs"},
    "no_runs": {"nl": "Deze bron werd nog niet geoogst.", "en": "This source has not been harvested yet."},
    "run_n": {"nl": "Oogst {n}", "en": "Run {n}"},
    "status": {"nl": "Status", "en": "Status"},
    "started": {"nl": "Gestart", "en": "Started"},
    "finished": {"nl": "klaar om", "en": "finished"},
    "counts": {"nl": "Tellingen", "en": "Counts"},
    "held_short": {"nl": "{n} intrekkingen wachten", "en": "{n} withdrawals held"},
    "running_text": {
        "nl": "De oogst loopt. Deze pagina werkt zichzelf bij.",
        "en": "The run is going on. This page updates itself.",
    },
    "run_ended_reloading": {
        "nl": "De oogst is klaar; het verslag wordt geladen.",
        "en": "The run has ended; loading the report.",
    },
    "reload": {"nl": "Nu herladen", "en": "Reload now"},
    "abort_run": {"nl": "Oogst afbreken", "en": "Abort the run"},
    "held_title": {
        "nl": "Intrekking wacht op jouw bevestiging",
        "en": "Withdrawal waiting for your confirmation",
    },
    "held_text": {
        "nl": "{n} datasets staan niet meer in de bron. Dat is zo veel dat ze niet werden ingetrokken"
        " zonder bevestiging.",
        "en": "{n} datasets are no longer listed by the source. That is so many that they were not"
        " withdrawn without a confirmation.",
    },
    "held_superseded": {
        "nl": "Een latere oogst beslist hierover; bekijk die oogst.",
        "en": "A later run decides on this; see that run.",
    },
    "confirm_withdrawal": {"nl": "Intrekken bevestigen", "en": "Confirm the withdrawal"},
    "refuse_withdrawal": {"nl": "Niet intrekken", "en": "Do not withdraw"},
    "records_report": {"nl": "Verslag per record", "en": "Report per record"},
    "filter_action": {"nl": "Toon", "en": "Show"},
    "all_actions": {"nl": "alle records", "en": "all records"},
    "filter": {"nl": "Filteren", "en": "Filter"},
    "records_total": {"nl": "{total} records", "en": "{total} records"},
    "remote_id": {"nl": "Record in de bron", "en": "Record in the source"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "reason": {"nl": "Reden", "en": "Reason"},
    "notice_created": {"nl": "De bron is bewaard.", "en": "The source is saved."},
    "notice_updated": {"nl": "De instellingen zijn bewaard.", "en": "The settings are saved."},
    "notice_activated": {"nl": "De bron is weer actief.", "en": "The source is active again."},
    "notice_deactivated": {
        "nl": "De bron is gedeactiveerd: ze wordt niet meer geoogst, haar datasets blijven.",
        "en": "The source is deactivated: it is no longer harvested, its datasets stay.",
    },
    "notice_inactive": {
        "nl": "Deze bron is niet actief; activeer ze eerst.",
        "en": "This source is inactive; activate it first.",
    },
    "notice_already_running": {
        "nl": "Deze bron wordt al geoogst; dit is die oogst.",
        "en": "This source is being harvested already; this is that run.",
    },
    "notice_ended": {"nl": "Deze oogst is al afgelopen.", "en": "This run has ended already."},
    "notice_abort_requested": {
        "nl": "Afbreken gevraagd: de oogst stopt binnen enkele seconden.",
        "en": "Abort requested: the run stops within seconds.",
    },
    "notice_abort_aborted": {"nl": "De oogst is afgebroken.", "en": "The run is aborted."},
    "notice_cannot_confirm": {
        "nl": "Deze intrekking kan niet meer bevestigd worden (een oogst loopt of een latere oogst beslist).",
        "en": "This withdrawal can no longer be confirmed (a run is going on or a later run decides).",
    },
    "notice_refused": {
        "nl": "Er werd niets ingetrokken.",
        "en": "Nothing was withdrawn.",
    },
    "forbidden_title": {"nl": "Geen toegang", "en": "Not allowed"},
    "forbidden_text": {
        "nl": "Je hebt geen toegang tot deze pagina of deze actie.",
        "en": "You may not see this page or do this.",
    },
    "busy_title": {"nl": "Even geduld", "en": "Please wait a moment"},
    "busy_text": {
        "nl": "Je deed te veel aanvragen na elkaar. Probeer het zo dadelijk opnieuw.",
        "en": "You made too many requests in a row. Try again in a moment.",
    },
    **{f"action_{key}": {"nl": nl, "en": en} for key, (nl, en) in _ACTIONS.items()},
    **{f"status_{key}": {"nl": nl, "en": en} for key, (nl, en) in _STATUSES.items()},
    **{f"schedule_{key}": {"nl": nl, "en": en} for key, (nl, en) in _SCHEDULES.items()},
}
