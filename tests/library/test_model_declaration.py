"""A model class naming a missing field, or a field in two groups, fails at definition."""

from __future__ import annotations

import pytest

from diffsync import DiffSyncModel


def test_identifier_naming_a_missing_field_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name", "nmae")
            name: str

    assert str(error.value) == "_identifiers ('name', 'nmae') references missing or un-annotated attr nmae"


def test_identifier_may_name_an_existing_plain_class_attribute():
    class WithProperty(DiffSyncModel):
        _modelname = "withproperty"
        _identifiers = ("label",)
        name: str

        @property
        def label(self) -> str:
            return self.name.upper()

    assert WithProperty._identifiers == ("label",)


def test_shortname_naming_a_missing_field_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _shortname = ("short",)
            name: str

    assert str(error.value) == "_shortname ('short',) references missing or un-annotated attr short"


def test_attribute_naming_a_missing_field_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _attributes = ("role",)
            name: str

    assert str(error.value) == "_attributes ('role',) references missing or un-annotated attr role"


def test_attribute_naming_a_plain_class_attribute_fails():
    with pytest.raises(AttributeError, match=r"_attributes .* references missing or un-annotated attr label"):

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _attributes = ("label",)
            name: str

            @property
            def label(self) -> str:
                return self.name


def test_children_value_naming_a_missing_field_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _children = {"device": "devices"}
            name: str

    assert (
        str(error.value) == "_children {'device': 'devices'} references missing or un-annotated attr devices"
    )


def test_field_in_identifiers_and_attributes_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _attributes = ("name",)
            name: str

    assert str(error.value) == "Fields {'name'} are included in both _identifiers and _attributes."


def test_field_in_identifiers_and_children_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("devices",)
            _children = {"device": "devices"}
            devices: list[str] = []

    assert str(error.value) == "Fields {'devices'} are included in both _identifiers and _children."


def test_field_in_attributes_and_children_fails_naming_it():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("name",)
            _attributes = ("devices",)
            _children = {"device": "devices"}
            name: str
            devices: list[str] = []

    assert str(error.value) == "Fields {'devices'} are included in both _attributes and _children."


def test_overlap_checks_report_identifiers_and_attributes_first():
    with pytest.raises(AttributeError) as error:

        class Broken(DiffSyncModel):
            _identifiers = ("devices",)
            _attributes = ("devices",)
            _children = {"device": "devices"}
            devices: list[str] = []

    assert str(error.value) == "Fields {'devices'} are included in both _identifiers and _attributes."


def test_sub_subclass_is_validated_too():
    class Parent(DiffSyncModel):
        _identifiers = ("name",)
        name: str

    with pytest.raises(AttributeError, match="references missing or un-annotated attr colour"):

        class Child(Parent):
            _attributes = ("colour",)


def test_sub_subclass_may_use_inherited_fields():
    class Parent(DiffSyncModel):
        _identifiers = ("name",)
        name: str
        role: str = ""

    class Child(Parent):
        _attributes = ("role",)

    assert Child(name="r1", role="edge").get_attrs() == {"role": "edge"}
