"""Shared by the Sahel tests of the command line and of the Python API."""

#: The keys issue 4 asks of `sahelsim run --summary-json` (the summary has more).
SUMMARY_KEYS = {
    "fuel_price_ratio_bamako", "electricity_hours_bamako_min", "tankers_destroyed", "max_convoy_loss_fraction",
    "max_attacks_one_day", "max_attack_spread_km_one_day", "state_share_civilian_deaths", "capital_captured",
    "legitimacy_start", "legitimacy_end",
}
