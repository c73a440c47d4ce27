"""The summary at the top of the dashboard: the few figures that tell the state of the service, each taken from the
figure group it summarises (never counted a second way), so a summary figure and its section always agree."""


def counted(n: int, one: str, many: str) -> str:
    """'1 family', '2 families', '0 families': the number with its noun, in the right number."""
    return f"{n} {one if n == 1 else many}"


def summary(figures: dict, *, escalated: int) -> dict:
    """The summary's figures, from `dashboard(scope)`'s groups and the number of escalated risk answers still not
    acted on (`notices.reads.escalated_in_service`, the red warning's own list). Each item names the section it
    summarises (`anchor`) and, where there is one, the list of families behind it (`figure`). No query."""
    waiting = figures["waiting"]
    practitioners = figures["caseloads"]["practitioners"]
    protection = figures["data_protection"]
    risk = figures["risk_alerts"]
    improved = [
        {"name": m["name"], "scale": m["scale_label"], "percent": m["percent_reliably_improved"], "pairs": m["pairs"]}
        for m in figures["outcomes"]["measures"]
        if m["percent_reliably_improved"] is not None and m["pairs"]
    ]
    return {
        "waiting": waiting["total"],
        "longest_wait_days": waiting["longest_days"],
        "open_families": sum(row["open"] for row in practitioners),
        "capacity": sum(row["capacity"] for row in practitioners),
        "over_capacity": figures["caseloads"]["over_capacity"],
        "median_days_to_filming": waiting["median_days_allocation_to_filming"],
        "contradictory": waiting["contradictory"],
        "reliably_improved": improved,
        "risk_not_acted_on": risk["open"],
        "risk_escalated": escalated,
        "footage_past_destruction": protection["footage_past_destruction"],
        "retention_reviews_overdue": protection["retention_reviews_overdue"],
        "subject_access_overdue": protection["subject_access_overdue"],
        "data_protection_overdue": protection["overdue"],
    }
