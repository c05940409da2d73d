"""An Adapter subclass is checked when it is defined."""

from __future__ import annotations

import pytest
from library_inventory import Device, Site

from diffsync import Adapter


def test_model_stored_under_a_name_other_than_its_type_fails():
    with pytest.raises(AttributeError) as error:

        class Broken(Adapter):
            location = Site

    assert str(error.value) == 'Incorrect field name - Site has type name "site", not "location"'


def test_only_the_class_body_being_defined_is_checked_for_names():
    class Parent(Adapter):
        site = Site

    Parent.location = Site  # added after definition: not re-checked by subclasses

    class Child(Parent):
        device = Device

    assert Child.location is Site


def test_top_level_naming_a_missing_attribute_fails():
    with pytest.raises(AttributeError) as error:

        class Broken(Adapter):
            site = Site
            top_level = ["site", "region"]

    assert str(error.value) == 'top_level references attribute "region" but it is not a class attribute!'


def test_top_level_naming_a_non_model_attribute_fails():
    with pytest.raises(AttributeError) as error:

        class Broken(Adapter):
            region = "emea"
            top_level = ["region"]

    assert (
        str(error.value) == 'top_level references attribute "region" but it is not a DiffSyncModel subclass!'
    )


def test_top_level_may_name_an_inherited_model():
    class Parent(Adapter):
        site = Site

    class Child(Parent):
        top_level = ["site"]

    assert Child.top_level == ["site"]


def test_adapter_class_defaults():
    assert Adapter.type is None
    assert Adapter.top_level == []
