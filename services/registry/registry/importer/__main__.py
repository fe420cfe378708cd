"""Import a roster CSV, over HTTP or straight into the registry's database.

    python -m registry.importer roster.csv --url http://127.0.0.1:8001 --token "$TOKEN"
    python -m registry.importer roster.csv --database-url postgresql://registry:…@127.0.0.1/registry --actor alice

The direct mode runs the same use case as the HTTP upload (events go to the outbox; the
running service's relay publishes them) and shows a progress bar.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from registry.app import MIGRATIONS
from registry.importer.batch import import_roster, pool_transaction
from shared import db
from shared.auth import Principal, Role
from shared.clock import DISTRICT_ZONE


def _count_lines(path: Path) -> int:
    """Lines in the file (for the progress bar), counted in chunks without holding the file."""
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            lines += chunk.count(b"\n")
    return lines


async def _direct(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    conn = await db.connect(args.database_url)
    try:
        await db.migrate(conn, [db.KIT_MIGRATIONS, MIGRATIONS])
    finally:
        await conn.close()
    pool = await db.create_pool(args.database_url, max_size=4)
    try:
        rows = max(_count_lines(path) - 1, 0)
        with tqdm(total=rows, unit="row", desc="导入", disable=args.quiet) as bar, path.open("rb") as f:
            report = await import_roster(
                pool_transaction(pool),
                f,
                principal=Principal(sub=args.actor, role=Role.DISTRICT_ADMIN),
                now=datetime.now(DISTRICT_ZONE),  # registration dates are Beijing dates
                filename=path.name,
                batch_size=args.batch_size,
                progress=bar.update,
            )
        return report.as_dict()
    finally:
        await pool.close()


def _http(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    with tqdm(total=1, desc="上传并导入", unit="file", disable=args.quiet) as bar, path.open("rb") as f:
        response = httpx.post(  # httpx streams the open file in the multipart body
            args.url.rstrip("/") + "/imports",
            headers={"Authorization": f"Bearer {args.token}"},
            files={"file": (path.name, f, "text/csv")},
            timeout=600,
        )
        bar.update(1)
    if response.status_code != 200:
        sys.exit(f"导入失败：HTTP {response.status_code}：{response.text}")
    result: dict[str, Any] = response.json()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="把名册 CSV 导入社会组织登记系统。")
    parser.add_argument("csv", help="UTF-8 编码的 CSV，表头如 名称,类型,统一社会信用代码,登记日期,街道,业务领域")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="登记服务的地址（HTTP 方式）")
    target.add_argument("--database-url", help="登记服务的数据库（直连方式）")
    parser.add_argument("--token", help="区级管理员的令牌（HTTP 方式）")
    parser.add_argument("--actor", default="importer-cli", help="导入人（直连方式，记入操作记录）")
    parser.add_argument("--batch-size", type=int, default=2000, help="每批写入的行数")
    parser.add_argument("--rejected", help="把未导入的行写入此 CSV 文件")
    parser.add_argument("--quiet", action="store_true", help="不显示进度条")
    args = parser.parse_args()
    if args.url and not args.token:
        parser.error("使用 --url 时必须提供 --token")
    path = Path(args.csv)
    report = asyncio.run(_direct(args, path)) if args.database_url else _http(args, path)
    if args.rejected:
        with open(args.rejected, "w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow(["行号", "字段", "原因"])
            writer.writerows([r["row"], r["field"], r["reason"]] for r in report["rejected"])
    summary = {k: v for k, v in report.items() if k != "rejected"}
    print(json.dumps(summary, ensure_ascii=False))
    for r in report["rejected"][:20]:
        print(f"  第 {r['row']} 行 {r['field']}: {r['reason']}", file=sys.stderr)


if __name__ == "__main__":
    main()
