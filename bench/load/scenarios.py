"""The scenarios of the load benchmark: their names, in the order run.py runs them, and the
user class of locustfile.py that plays each (named here so run.py need not import locust,
whose import patches the standard library for gevent)."""

SCENARIOS = {
    "bare view": "BareView",
    "province dashboard": "ProvinceManager",
    "commune dashboard": "CommuneManager",
    "province overdue list": "OverdueList",
    "inbox": "ProcessingOfficer",
    "counter home": "ReceptionOfficer",
    "lookup": "Citizen",
    "pickups": "PostalPartner",
}
BASELINE = "bare view"
