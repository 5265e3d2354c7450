"""A synthetic organisation of any size, for benchmarks: branches on number,
choice and yes-no inputs, Chinese text, 100+ people, several roles per stage."""

from __future__ import annotations

import random
from pathlib import Path

CATEGORIES = ("sales", "delivery", "finance", "service", "legal", "people")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def write_organisation(folder: Path, decisions: int, people: int = 120, roles: int = 30, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    person_ids = [f"person-{i:03d}" for i in range(people)]
    role_ids = [f"role-{i:02d}" for i in range(roles)]
    lines = ["people:"]
    for i, pid in enumerate(person_ids):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        lines.append(f"  {pid}: {{name: {name}, email: {pid}@example.com}}")
    lines.append("roles:")
    for i, rid in enumerate(role_ids):
        holders = [person_ids[(i * 4 + k) % people] for k in range(4)]
        lines.append(f"  {rid}:\n    title: 角色{i} role {i}\n    held_by: [{', '.join(holders)}]")
        lines.append(f"    backup: [{role_ids[(i + 1) % roles]}]")
    lines.append("calendars:\n  shanghai: {country: CN, timezone: Asia/Shanghai, closed: [2026-12-31]}")
    (folder / "_org.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for n in range(decisions):
        category = folder / CATEGORIES[n % len(CATEGORIES)]
        category.mkdir(exist_ok=True)
        (category / f"decision-{n:04d}.yaml").write_text(_decision(n, rng, role_ids), encoding="utf-8")


def _decision(n: int, rng: random.Random, role_ids: list[str]) -> str:
    role = lambda: rng.choice(role_ids)  # noqa: E731
    roles_of = lambda n: ", ".join(rng.sample(role_ids, n))  # noqa: E731 - distinct, as a who list must be
    threshold = rng.choice((1000, 5000, 10000, 50000))
    return f"""\
# yaml-language-server: $schema=../../schema/decision.schema.json
title: 第{n}号审批 Approval {n}
summary: 客户提出的第{n}类请求由谁决定、多久答复。Who decides request type {n}.
owner: {role()}
audience: {"client" if n % 2 else "internal"}
reviewed: 2026-10-01
review_every: 180 days
inputs:
  amount: {{label: 金额, type: number}}
  contract-type: {{label: 合同类型, type: choice, options: [fixed-price, time-and-materials, retainer]}}
  repeat-client: {{label: 老客户, type: yes-no}}
start: intake
stages:
  intake:
    title: 登记需求 {n}
    who: {role()}
    does: 书面记录需求并向客户确认收到
    within: 1 business day
    escalate_to: {role()}
    next:
      - when: {{amount: "<{threshold}"}}
        go: assess
      - when: {{amount: [">={threshold}", "<{threshold * 10}"]}}
        go: review
      - otherwise: director
  assess:
    title: 评估范围与工作量
    who: {{any: [{roles_of(2)}]}}
    within: 3个工作日
    next:
      - when: {{contract-type: [fixed-price, retainer]}}
        go: answer
      - when: {{contract-type: time-and-materials, repeat-client: true}}
        go: answer
      - when: {{contract-type: time-and-materials, repeat-client: false}}
        go: review
  review:
    title: 内部复核
    who: {{at_least: 2, of: [{roles_of(3)}]}}
    within: 8 business hours
    visibility: internal
    next: director
  director:
    title: 总监审批
    who: {{all: [{roles_of(2)}]}}
    within: 2 business days
    escalate_to: {role()}
    next: answer
  answer:
    title: 书面答复客户
    who: {role()}
    within: 4个工作小时
    outcomes: [approved, declined, change-order]
notes: |
  内部说明 {n}:金额超过 {threshold} 需要总监审批。
"""
