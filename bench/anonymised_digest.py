"""One digest of everything the anonymisation stored (a script, not a test).

Prints the SHA-256 of every section's anonymised text, redaction report and leak status in the
order of (application id, section key), then of the texts alone, with the number of sections: two
runs of ``review-app simulate`` with the same seed that print the same digests stored the same
redaction. Usage: ``python bench/anonymised_digest.py DATABASE_URL`` (e.g.
``sqlite:////tmp/simulate-profile/simulation.sqlite3``).
"""

import hashlib
import json
import sys

from sqlalchemy import create_engine, text


def main() -> None:
    engine = create_engine(sys.argv[1])
    everything, texts, n = hashlib.sha256(), hashlib.sha256(), 0
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT application_id, key, anonymised_text, redaction_report, leak_status "
                "FROM section ORDER BY application_id, key"
            )
        )
        for app_id, key, anonymised, report, status in rows:
            if isinstance(report, str):
                report = json.loads(report)
            row = [app_id, key, anonymised, report, status]
            everything.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
            texts.update(json.dumps([app_id, key, anonymised], ensure_ascii=False).encode())
            n += 1
    print(f"sections {n}")
    print(f"anonymised texts  {texts.hexdigest()}")
    print(f"texts+reports+status {everything.hexdigest()}")


if __name__ == "__main__":
    main()
