"""Home page data load for the fleet customer (500 contracts, ~30,000 plan rows).

Prints the time of `home_summary` and the number of SQL statements it issues, next to the same
figures for the small demo customer: the ratio shows how the load grows with the data.
"""

from __future__ import annotations

from sqlmodel import Session, select

from bench.common import AS_OF, count_statements, large_database, timed
from portal.models import Customer, ScheduleLine
from portal.seed.fleet import FLEET_CODE
from portal.services.access.scope import whole_customer
from portal.services.home import home_summary


def main() -> None:
    engine = large_database()
    with Session(engine) as session:
        fleet = session.exec(select(Customer).where(Customer.code == FLEET_CODE)).one()
        demo = session.exec(select(Customer).where(Customer.code == "10093")).one()
        fleet_rows = session.exec(select(ScheduleLine.id).where(ScheduleLine.customer_id == fleet.id)).all()
        print(f"fleet customer {FLEET_CODE}: {len(fleet_rows)} plan rows")
        results = {}
        for label, customer in (("demo 10093", demo), (f"fleet {FLEET_CODE}", fleet)):
            with count_statements(engine) as statements:
                summary = home_summary(session=session, scope=whole_customer(customer.id), today=AS_OF)
            median, best = timed(
                lambda c=customer: home_summary(session=session, scope=whole_customer(c.id), today=AS_OF)
            )
            results[label] = median
            print(
                f"home data load, {label:<12}: median {median:7.2f} ms, best {best:7.2f} ms, "
                f"{len(statements)} SQL statements, {summary.active_contract_count} active contracts"
            )
        ratio = results[f"fleet {FLEET_CODE}"] / results["demo 10093"]
        print(f"fleet / demo time ratio: {ratio:.1f}x")


if __name__ == "__main__":
    main()
