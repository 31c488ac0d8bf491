from __future__ import annotations

import io
import threading

import pytest

import memberkit as mk

CSV = "\ufeffFull Name,E-Mail,External ID\r\n\"Lovelace, Ada\",ada@example.com,crm-1\r\nZoë Müller,zoe@exämple.de,\r\n"


def test_customer_list_search_filters_and_pages(tenant, course):
    tenant.add_customer(mk.SYSTEM, "zoe@example.com", name="ZOË Müller", products=[course.id])
    tenant.add_customer(mk.SYSTEM, "ada@example.com", name="Ada")
    tenant.invite(mk.SYSTEM, "new@example.com")
    page = tenant.customers(search="müll")
    assert [r.member.email for r in page.rows] == ["zoe@example.com"]
    assert page.rows[0].products[0].name == "Rust 101" and page.next_cursor is None
    assert tenant.count_customers(no_access=True) == 2
    assert tenant.count_customers(status="invited") == 1
    assert tenant.count_customers(product=course.id) == 1
    first = tenant.customers(sort="email", limit=2)
    rest = tenant.customers(sort="email", limit=2, cursor=first.next_cursor)
    emails = [r.member.email for r in first.rows + rest.rows]
    assert emails == ["ada@example.com", "new@example.com", "zoe@example.com"]
    with pytest.raises(mk.InvalidInputError):
        tenant.customers(limit=501)


def test_import_from_str_bytes_path_and_file(tmp_path, tenant, course):
    report = tenant.import_customers(mk.SYSTEM, CSV, products=[course.id], dry_run=True)
    assert not report.applied and report.count("created") == 2
    assert tenant.count_customers() == 0
    report = tenant.import_customers(mk.SYSTEM, CSV.encode(), products=[course.id], mode="grant")
    assert report.applied and [r.outcome for r in report.rows] == ["created", "created"]
    path = tmp_path / "list.csv"
    path.write_text(CSV, encoding="utf-8")
    again = tenant.import_customers(mk.SYSTEM, path, products=[course.id], mode="grant")
    assert [r.outcome for r in again.rows] == ["existing", "existing"]
    pasted = tenant.import_customers(mk.SYSTEM, io.StringIO("Lin, lin@example.com\nbad\n"), format="pasted", skip_invalid=True)
    assert [(r.line, r.outcome) for r in pasted.rows] == [(1, "created"), (2, "invalid")]
    assert pasted.rows[0].invite_token is not None
    stopped = tenant.import_customers(mk.SYSTEM, "email\nnot-an-email\nok@example.com\n")
    assert not stopped.applied and stopped.rows[0].line == 2
    with pytest.raises(mk.InvalidInputError):
        tenant.import_customers(mk.SYSTEM, "name,phone\nA,1\n")
    with pytest.raises(TypeError):
        tenant.import_customers(mk.SYSTEM, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        tenant.import_customers(mk.SYSTEM, "email\na@x.com", format="xml")  # type: ignore[arg-type]


def test_temporary_passwords_progress_and_export(tenant):
    calls = []
    rows = "email\n" + "\n".join(f"p{i}@example.com" for i in range(1500))
    report = tenant.import_customers(
        mk.SYSTEM, rows, mode="grant", atomic=True, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1000, 1500), (1500, 1500)] and report.written == 1500
    report = tenant.import_customers(mk.SYSTEM, "Tem, tem@example.com", format="pasted", mode="temporary_password")
    pw = report.rows[0].temporary_password
    assert pw and pw in report.temporary_passwords_csv
    check = tenant.verify_password("tem@example.com", pw)
    assert check is not None and check.must_change
    tenant.add_customer(mk.SYSTEM, "f@example.com", name="=cmd()")
    csv = tenant.export_customers(sort="email")
    assert "'=cmd()" in csv and csv.startswith("name,email,external_id,status,products,created_at,metadata\r\n")


def test_two_threads_share_one_hub_file_and_the_gil_is_released(tmp_path):
    hub = mk.Hub.open(tmp_path / "shared.db")
    t = hub.create_tenant("T")
    course = t.create_product(mk.SYSTEM, "C", "course")
    m = t.add_customer(mk.SYSTEM, "reader@example.com", products=[course.id]).member
    big = "email\n" + "\n".join(f"u{i}@example.com" for i in range(20000))
    result = {}

    def importer():
        result["report"] = t.import_customers(mk.SYSTEM, big, mode="grant", products=[course.id])

    reads = 0
    worker = threading.Thread(target=importer)
    worker.start()
    while worker.is_alive():
        assert t.has_access(m.id, course.id)
        reads += 1
    worker.join()
    assert result["report"].count("created") == 20000
    # The reader kept going while the import ran: the GIL was not held by the import.
    assert reads > 10, reads
    second = mk.Hub.open(tmp_path / "shared.db")
    assert second.tenant(t.id).count_customers() == 20001


def test_a_chunked_import_reports_between_chunks_where_the_hub_can_be_called(tenant, course):
    csv = "email\n" + "\n".join(f"c{i}@example.com" for i in range(5000))
    calls = []

    def progress(done: int, total: int) -> None:
        # No transaction is open between chunks: reading and writing from here just work.
        calls.append((done, total, tenant.count_customers(), len(tenant.workspaces())))

    report = tenant.import_customers(mk.SYSTEM, csv, mode="grant", products=[course.id], progress=progress)
    assert report.applied and report.written == 5000
    assert len(calls) >= 2 and calls[-1][:2] == (5000, 5000)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert all(c[2] == c[0] for c in calls), "each report comes after its chunk is committed"


def test_a_stopped_chunked_import_keeps_whole_chunks_and_the_same_file_finishes_it(tenant, course):
    csv = "email\n" + "\n".join(f"s{i}@example.com" for i in range(5000))

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop(done)

    with pytest.raises(Stop):
        tenant.import_customers(mk.SYSTEM, csv, mode="grant", products=[course.id], progress=stop)
    kept = tenant.count_customers()
    assert 0 < kept < 5000
    assert tenant.count_customers(product=course.id) == kept
    rerun = tenant.import_customers(mk.SYSTEM, csv, mode="grant", products=[course.id])
    assert (rerun.count("existing"), rerun.count("created")) == (kept, 5000 - kept)
    with pytest.raises(mk.InvalidInputError, match="atomic"):
        tenant.import_customers(mk.SYSTEM, "email\nz@x.com", mode="temporary_password", atomic=False)


def test_a_bundle_holders_row_and_export_show_what_the_bundle_gives(tenant, course):
    bundle = tenant.create_product(mk.SYSTEM, "All Access", "membership")
    tenant.include_in_bundle(mk.SYSTEM, bundle.id, course.id)
    admin = tenant.add_customer(mk.SYSTEM, "admin@x.com", role="admin").member
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member
    tenant.grant(admin.id, ada.id, bundle.id)
    page = tenant.customers(product=course.id)
    assert [r.member.email for r in page.rows] == ["ada@x.com"]
    listed = [(p.name, p.via) for p in page.rows[0].products]
    assert listed == [("Rust 101", bundle.id), ("All Access", None)]
    assert listed == [(a.product.name, a.via) for a in tenant.access(ada.id) if a.product.paid]
    assert "Rust 101 (via All Access); All Access" in tenant.export_customers(product=course.id)
    # Audit entries name the actor the way calls take it, and the filter takes it back.
    entry = tenant.audit(actor=admin.id, limit=1)[0]
    assert entry.actor == admin.id
    assert len(tenant.audit(actor=entry.actor)) == 1
    assert tenant.audit(actor=mk.SYSTEM, limit=1)[0].actor == mk.SYSTEM
