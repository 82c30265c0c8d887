"""Whose `imagePullPolicy: Never` a YAML `image:` line has: its own container's only."""

from __future__ import annotations

import pytest

from imagetag_lint.pullpolicy import yaml_pull_never


def _never(manifest: str, image: str) -> bool:
    text = manifest.encode()
    return yaml_pull_never(text, text.index(f"image: {image}".encode()))


POD = """\
spec:
  initContainers:
  - name: wait
    image: busybox:1.36
  containers:
  - imagePullPolicy: Never
    name: api
    ports:
    - containerPort: 8080
      protocol: TCP
    image: shop-api:e2e
  - name: redis
    image: redis:7-alpine
    imagePullPolicy: IfNotPresent
  - name: cache
    image: shop-cache:e2e
    command: |
      imagePullPolicy: Never is text here
    imagePullPolicy: "Never" # loaded by the suite
---
kind: Job
spec:
  containers:
  - image: curlimages/curl:8.5.0
"""


@pytest.mark.parametrize(
    ("image", "local"),
    [
        ("busybox:1.36", False),  # an init container says nothing
        ("shop-api:e2e", True),  # the policy opens the item, a nested list stands between
        ("redis:7-alpine", False),  # a policy of its own
        ("shop-cache:e2e", True),  # quoted, with a comment, after a block scalar
        ("curlimages/curl:8.5.0", False),  # another document
    ],
)
def test_the_policy_is_the_containers_own(image: str, local: bool) -> None:
    assert _never(POD, image) is local


def test_a_list_at_its_keys_column_is_inside_the_item() -> None:
    manifest = "containers:\n- name: api\n  ports:\n  - containerPort: 80\n  image: api:e2e\n  imagePullPolicy: Never\n"
    assert _never(manifest, "api:e2e")


def test_the_two_characters_backslash_n_are_text_not_a_line_end() -> None:
    """A raw Go string's or a decoded Python string's `\\n` is text (an argument's escape): the
    Go front-end turns an interpreted string's escapes into line breaks before it asks."""
    manifest = 'containers:\n- name: a\n  image: a:e2e\n  args: ["hello\\nworld"]\n  imagePullPolicy: Never\n'
    assert _never(manifest, "a:e2e")


def test_a_policy_of_the_enclosing_mapping_is_not_the_containers() -> None:
    manifest = "spec:\n  imagePullPolicy: Never\n  containers:\n  - name: a\n    image: a:e2e\n"
    assert not _never(manifest, "a:e2e")


def test_another_value_is_no_never() -> None:
    manifest = "containers:\n- image: a:e2e\n  imagePullPolicy: Neverland\n"
    assert not _never(manifest, "a:e2e")
