"""Building models from keyword parameters: the registry is the one source of truth."""

import math

import numpy as np
import pytest

import sahelsim


def test_models_lists_epstein_and_ethnic_variant():
    assert {"epstein", "epstein-ethnic"} <= set(sahelsim.models())


def test_parameter_registry_has_units_defaults_ranges_and_descriptions():
    specs = {s["name"]: s for s in sahelsim.parameters("epstein")}
    for name in ["width", "height", "citizen_density", "cop_density", "citizen_vision", "cop_vision",
                 "legitimacy", "max_jail_term", "threshold", "k", "movement", "cop_movement", "arrest_rule",
                 "neighborhood", "jail_draw", "jailed_hold_cell", "action_order", "activation"]:
        assert name in specs, name
        assert specs[name]["description"]
        assert specs[name]["unit"]
    assert specs["legitimacy"]["default"] == 0.82
    assert specs["arrest_rule"]["choices"] == ["as_written", "floor", "round"]
    assert specs["neighborhood"]["choices"] == ["disc", "von_neumann", "moore"]
    assert specs["jail_draw"]["choices"] == ["continuous", "int_below", "int_inclusive"]
    assert specs["action_order"]["choices"] == ["decide_then_move", "move_then_decide"]
    assert specs["activation"]["choices"] == ["sequential", "synchronous"]
    assert specs["cop_movement"]["choices"] == ["with_movement", "always"]


def test_ethnic_model_adds_clone_probability_max_age_and_group_share():
    names = {s["name"] for s in sahelsim.parameters("epstein-ethnic")}
    assert {"clone_probability", "max_age", "group_a_share"} <= names


def test_model_uses_given_parameters():
    model = sahelsim.Model("epstein", seed=4, width=30, height=20, legitimacy=0.5, arrest_rule="round")
    assert model.params["width"] == 30
    assert model.params["legitimacy"] == 0.5
    assert model.params["arrest_rule"] == "round"
    assert model.raster().shape == (20, 30)


def test_unknown_parameter_raises_value_error_listing_known_names():
    with pytest.raises(ValueError, match=r"unknown parameter 'legitimcy'.*legitimacy"):
        sahelsim.Model("epstein", legitimcy=0.8)


def test_out_of_range_parameter_names_value_and_range():
    with pytest.raises(ValueError, match=r"'legitimacy' = 1\.5.*\[0, 1\]"):
        sahelsim.Model("epstein", legitimacy=1.5)


def test_wrong_choice_lists_allowed_choices():
    with pytest.raises(ValueError, match=r"arrest_rule.*'ceil'.*as_written, floor, round"):
        sahelsim.Model("epstein", arrest_rule="ceil")


def test_integer_parameter_rejects_fraction():
    with pytest.raises(ValueError, match=r"'width' = 40\.5"):
        sahelsim.Model("epstein", width=40.5)


def test_boolean_parameter_rejects_number():
    with pytest.raises(ValueError, match=r"'movement'.*true or false"):
        sahelsim.Model("epstein", movement=1)


def test_nan_is_rejected():
    with pytest.raises(ValueError, match="legitimacy"):
        sahelsim.Model("epstein", legitimacy=float("nan"))


def test_densities_summing_above_one_are_rejected():
    with pytest.raises(ValueError, match=r"citizen_density.*cop_density.*at most 1"):
        sahelsim.Model("epstein", citizen_density=0.9, cop_density=0.2)


def test_infinite_jail_term_is_allowed():
    model = sahelsim.Model("epstein", max_jail_term=math.inf)
    assert math.isinf(model.params["max_jail_term"])


def test_numpy_scalars_are_accepted():
    model = sahelsim.Model("epstein", legitimacy=np.float64(0.7), width=np.int64(25))
    assert model.params["legitimacy"] == 0.7 and model.params["width"] == 25


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"threads": 0}, "threads"),
    ({"threads": "2"}, "threads"),
])
def test_bad_seed_or_threads_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sahelsim.Model("epstein", **kwargs)


def test_unknown_model_raises_value_error():
    with pytest.raises(ValueError, match="unknown model 'epstien'"):
        sahelsim.Model("epstien")


def test_negative_step_count_raises_value_error():
    with pytest.raises(ValueError, match="n = -1"):
        sahelsim.Model("epstein").step(-1)


@pytest.mark.parametrize("call, message", [
    (lambda: sahelsim.Model("epstein", threads=2**40), r"threads = 1099511627776 is not allowed: expected an integer "
                                                       r"in \[1, 1024\]"),
    (lambda: sahelsim.Model("epstein", seed=2**64), r"seed = 18446744073709551616 is not allowed"),
    (lambda: sahelsim.Model("epstein", width=10, height=10).step(2**63), r"n = 9223372036854775808 is not allowed: "
                                                                         r"expected an integer in \[0, 2\*\*63 - 1\]"),
    (lambda: sahelsim.Model("epstein", width=10, height=10).run(2**63), r"steps = 9223372036854775808"),
    (lambda: sahelsim.Model("epstein", width=10, height=10).run(5, output=""), r"output = '' is not allowed"),
])
def test_counts_beyond_the_core_and_an_empty_output_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
def test_continuous_jail_terms_with_a_maximum_of_zero_release_at_once(activation):
    # U(0, 0) hung for ever (Boost's distribution on equal bounds), and Ctrl-C could not stop it.
    model = sahelsim.Model("epstein", seed=1, width=10, height=10, movement=False, citizen_density=0.5,
                           cop_density=0.05, legitimacy=0.0, threshold=0.0, k=0.0, max_jail_term=0.0,
                           jail_draw="continuous", activation=activation)
    arrests = 0
    for _ in range(3):
        model.step(1)
        arrests += model.series()["arrests"]
    assert model.current_step == 3
    assert arrests > 0  # terms of 0 were drawn
