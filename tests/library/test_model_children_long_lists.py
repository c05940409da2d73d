"""add_child / remove_child on long children lists, where a set of ids is kept beside the list.

Not part of upstream's contract: a performance choice of ours (diffsync/_child_ids.py). These
tests hold it to upstream's behaviour, which scans the list: the list stays the truth, and
every change a user can make to it is noticed, except the one docs/compatibility.md lists.
"""

from __future__ import annotations

import copy
import json

import pytest
from library_inventory import Device, Interface

from diffsync._child_ids import INDEX_KEY, LONG_LIST
from diffsync.exceptions import ObjectAlreadyExists, ObjectNotFound


def interface(number: int) -> Interface:
    return Interface(device_name="r1", name=f"eth{number}")


def uid(number: int) -> str:
    return f"r1__eth{number}"


@pytest.fixture
def long_device() -> Device:
    """A device whose interface list is long enough to be kept with a set."""
    device = Device(name="r1")
    for number in range(LONG_LIST + 8):
        device.add_child(interface(number))
    return device


def test_long_list_keeps_every_id_in_order(long_device):
    assert long_device.interfaces == [uid(number) for number in range(LONG_LIST + 8)]


def test_long_list_refuses_an_id_it_holds(long_device):
    for number in (0, LONG_LIST // 2, LONG_LIST + 7):
        with pytest.raises(ObjectAlreadyExists):
            long_device.add_child(interface(number))
    assert len(long_device.interfaces) == LONG_LIST + 8


def test_ids_appended_by_hand_are_refused_by_add_child(long_device):
    long_device.interfaces.append(uid(100))
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(100))


def test_ids_inserted_by_hand_are_refused_by_add_child(long_device):
    long_device.interfaces.insert(0, uid(101))
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(101))


def test_a_reassigned_list_is_the_one_checked(long_device):
    long_device.interfaces = [uid(number) for number in range(200, 200 + LONG_LIST)]
    long_device.add_child(interface(0))  # held by the old list only
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(200))


def test_ids_popped_by_hand_can_be_added_again(long_device):
    long_device.interfaces.pop()
    long_device.add_child(interface(LONG_LIST + 7))
    assert long_device.interfaces[-1] == uid(LONG_LIST + 7)


def test_an_id_rewritten_away_in_place_can_be_added_again(long_device):
    long_device.interfaces[0] = uid(300)  # same length, same last item
    long_device.add_child(interface(0))
    assert long_device.interfaces[-1] == uid(0)


def test_removed_ids_can_be_added_again(long_device):
    long_device.remove_child(interface(3))
    assert uid(3) not in long_device.interfaces
    long_device.add_child(interface(3))
    assert long_device.interfaces[-1] == uid(3)


def test_removing_one_of_two_copies_still_refuses_the_id(long_device):
    long_device.interfaces.append(uid(5))  # a duplicate its owner put there
    long_device.remove_child(interface(5))
    assert long_device.interfaces.count(uid(5)) == 1
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(5))


def test_removing_a_missing_id_from_a_long_list_raises_not_found(long_device):
    with pytest.raises(ObjectNotFound):
        long_device.remove_child(interface(999))


def test_removing_after_a_change_by_hand_keeps_the_check_right(long_device):
    long_device.interfaces.append(uid(400))
    long_device.remove_child(interface(0))
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(400))
    long_device.add_child(interface(0))


def test_the_id_set_is_invisible_to_dumps_json_and_equality(long_device):
    assert INDEX_KEY in long_device.__dict__
    twin = Device(name="r1", interfaces=list(long_device.interfaces))
    assert INDEX_KEY not in twin.__dict__
    assert long_device == twin
    assert long_device.model_dump() == twin.model_dump()
    assert INDEX_KEY not in json.loads(long_device.model_dump_json())
    assert long_device.get_attrs() == twin.get_attrs()


def test_a_deep_copy_checks_its_own_list(long_device):
    clone = copy.deepcopy(long_device)
    clone.add_child(interface(500))
    assert uid(500) not in long_device.interfaces
    long_device.add_child(interface(500))
    with pytest.raises(ObjectAlreadyExists):
        clone.add_child(interface(500))


def test_a_shallow_copy_shares_the_list_as_upstream_does(long_device):
    clone = long_device.model_copy()
    clone.add_child(interface(600))
    assert long_device.interfaces[-1] == uid(600)
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(600))


def test_an_id_held_twice_is_free_again_only_once_both_copies_are_removed(long_device):
    long_device.interfaces.append(uid(5))  # a duplicate its owner put there
    long_device.add_child(interface(500))  # the kept set is rebuilt from the list, copies counted
    long_device.remove_child(interface(5))
    with pytest.raises(ObjectAlreadyExists):
        long_device.add_child(interface(5))
    long_device.remove_child(interface(5))
    long_device.add_child(interface(5))
    assert long_device.interfaces.count(uid(5)) == 1
