"""Reports: each scheme's PDF holds the required items, Chinese renders with a CJK font, the label's
QR code carries the result's identity and hash, templates are autoescaped and replaceable."""

import hashlib
import io
import json
import re
import shutil
import uuid

import pytest
import segno
import yaml

from footprint.labels import REPORT_ITEMS, load_scheme
from footprint.report import write_report
from footprint.report.pdf import pdf_unavailable_reason

from conftest import PERC, ROOT, once_per_run

DATA = ROOT / "tests" / "data"
SCHEMES = ("cn-cfp", "epeat-ulcs", "kr-carbon", "fr-ecs", "epd")
NO_PDF = pdf_unavailable_reason()
needs_pdf = pytest.mark.skipif(NO_PDF is not None, reason=f"PDF renderer unavailable: {NO_PDF}")

#: Text that shows each report item in the English PDF (headings of report_templates/strings.yaml).
ITEM_TEXT = {
    "goal_scope": ["Goal and scope"],
    "declared_unit": ["Declared unit", "1 kWp"],
    "reference_flow": ["Reference flow", "1.818 modules of 550 W per kWp"],
    "system_boundary": ["System boundary"],
    "flow_diagram": ["system boundary: cradle to gate", "1 module = 0.55 kWp"],
    "cutoff_allocation": ["Cut-off and allocation rules"],
    "data_sources": ["Data sources", "Emission factors (background datasets)"],
    "data_quality": ["Data quality", "pedigree"],
    "primary_data_share": ["Primary data share"],
    "electricity_location": ["Location-based"],
    "electricity_market": ["Market-based"],
    "gwp_set": ["GWP set", "IPCC AR6 GWP100"],
    "by_stage": ["Results by stage", "Polysilicon"],
    "by_gas": ["Results by gas", "CO2, fossil"],
    "fossil_biogenic": ["Fossil and biogenic emissions", "Fossil", "Biogenic"],
    "uncertainty": ["Uncertainty"],
    "sensitivity": ["Sensitivity"],
    "limitations": ["Limitations"],
    "decision": ["Scheme decision", "Unmet requirements"],
}


def pdf_text(path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def pdf_fonts(path):
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


#: Language of each scheme's report: cn-cfp bilingual (covers Chinese and English), the rest English.
LANG = {"cn-cfp": "both"}


class Shared(dict):
    """key -> ``make(key, folder)``, made when a test first asks, once in the whole run.

    The dossiers are read, never changed, by several tests each; conftest.once_per_run
    writes each one in the first xdist worker that needs it, and the others load it.
    """

    def __init__(self, run_dir, prefix, make):
        super().__init__()
        self.run_dir, self.prefix, self.make = run_dir, prefix, make

    def __missing__(self, key):
        name = "-".join((self.prefix, *([key] if isinstance(key, str) else key)))
        self[key] = once_per_run(self.run_dir, name, lambda folder: self.make(key, folder))
        return self[key]


# Session-scoped: a worker may run other modules' tests between two of this one's, which
# would end a module-scoped fixture and make its dossiers again.
@pytest.fixture(scope="session")
def reports(footprint_home, run_dir):
    """scheme -> (its report with PDF, the PDF's text); fr-ecs with the test factor table."""
    if NO_PDF:
        pytest.skip(f"PDF renderer unavailable: {NO_PDF}")

    def render(scheme, folder):
        extra = {"factors": DATA / "ecs-test-factors.csv", "shares": DATA / "ecs-test-shares.csv"} if scheme == "fr-ecs" else {}
        written = write_report(PERC, scheme=scheme, out_dir=folder, lang=LANG.get(scheme, "en"), **extra)
        return written, pdf_text(written.pdf)

    return Shared(run_dir, "report-pdf", render)


@pytest.fixture(scope="session")
def dossiers(footprint_home, run_dir):
    """(scheme, lang) -> the example's dossier without PDF, for the tests that only read its files."""
    def write(key, folder):
        scheme, lang = key
        return write_report(PERC, scheme=scheme, out_dir=folder, lang=lang, pdf=False)

    return Shared(run_dir, "report", write)


@needs_pdf
@pytest.mark.slow
@pytest.mark.parametrize("scheme_id", SCHEMES)
def test_each_scheme_report_holds_its_required_items(reports, scheme_id):
    files, text = reports[scheme_id]
    scheme = load_scheme(scheme_id)
    for item in scheme.required_items:
        for snippet in ITEM_TEXT[item]:
            assert snippet in text, f"{scheme_id}: item {item}: {snippet!r} not in the PDF"
    decision = files.decision
    assert f"{decision.value_text} kg CO2-eq/kWp" in text
    assert decision.result_sha256 in text.replace(" ", "")
    for unmet in decision.unmet:
        assert unmet.reason[:40] in text


@needs_pdf
@pytest.mark.slow
def test_every_report_item_has_a_section(reports):
    _, text = reports["cn-cfp"]
    for item in REPORT_ITEMS:
        for snippet in ITEM_TEXT[item]:
            assert snippet in text, f"{item}: {snippet!r}"


@needs_pdf
@pytest.mark.slow
def test_report_values_match_the_result(reports):
    files, text = reports["kr-carbon"]
    result = json.loads(files.label_json.read_text(encoding="utf-8"))["decision"]
    # the total with 4 significant digits, as the summary prints it
    total = result["cfp_value"]
    assert f"{total:,.{max(0, 4 - len(str(int(total))))}f}" in text
    assert "Grade" in text and f"Grade {result['grade']}" in text


@needs_pdf
@pytest.mark.slow
def test_fr_ecs_report_shows_the_formula_terms(reports):
    files, text = reports["fr-ecs"]
    assert "Simplified carbon evaluation (ECS)" in text and "TEST ONLY (made-up)" in text
    assert files.decision.ecs["value"] is not None and f"{files.decision.value_text} kg CO2-eq/kWp" in text


ZH_HEADINGS = ("产品碳足迹研究报告", "系统边界", "声明单位", "基准流", "取舍准则和分配", "数据质量", "初级数据占比",
               "基于位置法", "基于市场法", "化石", "不确定性分析", "敏感性分析", "局限性", "标识评价结论")


@needs_pdf
@pytest.mark.slow
def test_chinese_renders_with_an_embedded_cjk_font(reports):
    files, text = reports["cn-cfp"]
    for snippet in ZH_HEADINGS:
        assert snippet in text, snippet
    fonts = pdf_fonts(files.pdf)
    assert any("CJK" in name or "WenQuanYi" in name or "HanSans" in name.replace(" ", "") for name in fonts), fonts


def test_chinese_only_report(dossiers):
    files = dossiers["cn-cfp", "zh"]
    html = files.html.read_text(encoding="utf-8")
    for snippet in ZH_HEADINGS:
        assert snippet in html, snippet
    assert "System boundary" not in html and 'lang="zh-CN"' in html


@needs_pdf
@pytest.mark.slow
def test_label_png_is_rendered(reports):
    from PIL import Image

    image = Image.open(io.BytesIO(reports["epeat-ulcs"][0].label_png.read_bytes()))
    assert image.format == "PNG" and image.size == (1260, 900)
    # not blank: the header band is there, slate (a self-assessment; the scheme's green is for a certificate)
    assert image.getpixel((image.width // 2, 20))[:3] == (0x45, 0x5A, 0x64)


def qr_matrix_from_svg(svg, size=150, border=4):
    """Rebuild the QR module matrix from the label's path (runs of 'M x y h w v u h -w z')."""
    path = re.search(r'<path id="qr" fill="#000" d="([^"]*)"', svg).group(1)
    runs = re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)", path)
    unit = float(runs[0][3])
    modules = round(size / unit) - 2 * border
    matrix = [[0] * modules for _ in range(modules)]
    for x, y, width, _ in runs:
        row, col, length = round(float(y) / unit) - border, round(float(x) / unit) - border, round(float(width) / unit)
        for c in range(col, col + length):
            matrix[row][c] = 1
    return matrix


def test_label_svg_holds_value_and_qr_of_the_result(footprint_home, tmp_path):
    files = write_report(PERC, scheme="cn-cfp", out_dir=tmp_path, lang="en", pdf=False, certificate="CN-CFP-2026-0042",
                         issued="2026-01-15")
    svg = files.label_svg.read_text(encoding="utf-8")
    decision = files.decision
    assert f">{decision.value_text}</text>" in svg and "kg CO2-eq/kWp" in svg and "CN-CFP-2026-0042" in svg
    # the hash, recomputed here from the written result
    result = dict(files.decision.to_dict())
    assert re.fullmatch(r"[0-9a-f]{64}", decision.result_sha256)
    expected = (f"footprint-label/2;id=.*;scheme=cn-cfp;product=perc-gb-550-jiangsu;value={re.escape(decision.value_text)} "
                f"kg CO2-eq/kWp;grade=-;status=certified;rule=unconfirmed;certificate=CN-CFP-2026-0042;valid_until=2028-01-15;"
                f"sha256={decision.result_sha256}")
    payload = re.search(r"<desc>([^<]*)</desc>", svg).group(1)
    assert re.fullmatch(expected, payload)
    # the QR drawn in the SVG encodes exactly that payload
    code = segno.make(payload, error="m", micro=False)
    assert qr_matrix_from_svg(svg) == [[1 if bit else 0 for bit in row] for row in code.matrix]
    assert result["scheme"] == "cn-cfp"


def test_result_hash_is_recomputable_from_the_calc_output(dossiers, tmp_path):
    """The rule of docs/labels-and-reports.md, applied here by hand to `footprint calc --format json`."""
    from footprint.calc import compute

    files = dossiers["kr-carbon", "en"]
    data = compute(PERC, per="kWp", gwp="ar6").to_dict()
    path, digest = data["input_file"], data["inputs_sha256"]
    for key in ("computed_at", "input_file"):
        data.pop(key)
    for key in ("computed_at", "as_of", "cross_check"):
        data["provenance"].pop(key)
    data["provenance"]["input_files"] = [digest]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = text.replace(json.dumps(path)[1:-1], f"<sha256:{digest[:12]}>")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == files.decision.result_sha256
    again = write_report(PERC, scheme="kr-carbon", out_dir=tmp_path / "again", pdf=False)
    first, second = (json.loads(f.label_json.read_text(encoding="utf-8")) for f in (files, again))
    assert first["label_id"] == second["label_id"] and first["qr_payload"] == second["qr_payload"]


def test_product_name_is_escaped(footprint_home, tmp_path):
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["product"]["name"] = 'Evil <script>alert("x")</script> & <b>bold</b>'
    product = tmp_path / "evil.yaml"
    product.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    files = write_report(product, scheme="epeat-ulcs", out_dir=tmp_path / "out", pdf=False)
    for path in (files.html, files.label_svg):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and "<b>bold" not in text
        assert "&lt;script&gt;" in text and "&amp;" in text


def test_user_templates_override_the_bundled_ones(footprint_home, tmp_path):
    mine = tmp_path / "templates"
    mine.mkdir()
    strings = yaml.safe_load((ROOT / "report_templates" / "strings.yaml").read_text(encoding="utf-8"))
    strings["title"] = {"en": "Dossier <for> ACME", "zh": "ACME 档案"}
    (mine / "strings.yaml").write_text(yaml.safe_dump(strings, allow_unicode=True), encoding="utf-8")
    files = write_report(PERC, scheme="kr-carbon", out_dir=tmp_path / "out", template_dir=mine, pdf=False)
    html = files.html.read_text(encoding="utf-8")
    assert "<h1>Dossier &lt;for&gt; ACME</h1>" in html


def test_broken_user_template_is_one_line_error(footprint_home, tmp_path):
    from footprint.errors import InputError

    mine = tmp_path / "templates"
    mine.mkdir()
    (mine / "report.html.j2").write_text("<html>\n{{ result.product_name }\n</html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"template .*report.html.j2: line 2: "):
        write_report(PERC, scheme="kr-carbon", out_dir=tmp_path / "out", template_dir=mine, pdf=False)


def test_pact_json(footprint_home, tmp_path):
    from footprint.calc import compute

    files = write_report(PERC, scheme="epeat-ulcs", out_dir=tmp_path, pdf=False, company="ACME Solar", period="2024")
    pact = json.loads(files.pact_json.read_text(encoding="utf-8"))
    result = compute(PERC, per="module")
    assert pact["pcf"]["declaredUnit"] == "square meter"
    assert pact["pcf"]["unitaryProductAmount"] == "2.583"  # a PACT Decimal is a string
    assert float(pact["pcf"]["pCfIncludingBiogenic"]) == pytest.approx(result.total.value / 2.583, rel=1e-5)
    # the earliest IPCC report of any part: the result's own set, and those its sources kept (named in its notes)
    kept = set(re.findall(r"GWP set stated in the data file: (AR\d)", " ".join(result.to_dict()["notes"])))
    assert pact["pcf"]["characterizationFactors"] == min(kept | {"AR6"}, key=lambda ar: int(ar[2:]))
    assert pact["pcf"]["referencePeriodStart"] == "2024-01-01T00:00:00Z" and pact["pcf"]["referencePeriodEnd"] == "2025-01-01T00:00:00Z"
    assert pact["companyName"] == "ACME Solar" and pact["companyIds"] == ["urn:pact:company:customcode:vendor-assigned:ACME-Solar"]
    assert uuid.UUID(pact["id"]).version == 4


def test_no_pact_file_without_a_reporting_period(footprint_home, tmp_path):
    files = write_report(PERC, scheme="epeat-ulcs", out_dir=tmp_path, pdf=False)
    assert files.pact_json is None and not list(tmp_path.glob("*-pact.json"))
    assert any(note.startswith("PACT footprint not written: a PACT footprint needs the reporting period") for note in files.notes)


def test_report_command(footprint_home, tmp_path):
    from conftest import invoke

    product = tmp_path / "p.yaml"
    shutil.copy(PERC, product)
    done = invoke("report", product, "--scheme", "kr-carbon", "-o", tmp_path / "out", "--no-pdf", "--period", "2024",
                  home=footprint_home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("kr-carbon: self-assessed; incomplete, would meet Grade ")
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"perc-gb-550-jiangsu-kr-carbon-label.json", "perc-gb-550-jiangsu-kr-carbon-label.svg",
            "perc-gb-550-jiangsu-kr-carbon-pact.json", "perc-gb-550-jiangsu-kr-carbon.html"} <= names
    assert "perc-gb-550-jiangsu-kr-carbon.xlsx" in names
    import openpyxl

    label = json.loads((tmp_path / "out" / "perc-gb-550-jiangsu-kr-carbon-label.json").read_text(encoding="utf-8"))
    summary = openpyxl.load_workbook(tmp_path / "out" / "perc-gb-550-jiangsu-kr-carbon.xlsx")["Summary"]
    totals = [row[1] for row in summary.iter_rows(values_only=True) if row and isinstance(row[1], float)]
    assert any(value == pytest.approx(label["decision"]["value_unrounded"], rel=1e-15) for value in totals)  # unrounded


def test_missing_pdf_libraries_name_the_packages(monkeypatch):
    import sys

    from footprint.errors import SetupError
    from footprint.report.pdf import html_to_pdf

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    with pytest.raises(SetupError, match=r"PDF output: WeasyPrint cannot load.*apt-get install libpango-1.0-0 .*fonts-noto-cjk"):
        html_to_pdf("<p>x</p>")


def csv_rows(name):
    import csv

    lines = [line for line in (ROOT / "inventories" / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def grid_factor(site):
    """kg CO2/kWh of a site's default grid, read from the CSV files: the pointer, then the official factor."""
    [pointer] = [row for row in csv_rows("electricity_defaults.csv") if row["dataset"] == f"electricity_grid_{site}"]
    [factor] = [row for row in csv_rows("electricity_china.csv") if row["dataset"] == pointer["flow"]]
    assert factor["flow"] == "co2_fossil" and factor["flow_unit"] == "kg"  # GWP of fossil CO2 is 1
    return float(factor["amount"])


def table_rows(html, section):
    """The rows of the first table after ``id="{section}"``, as lists of cell texts."""
    part = html.split(f'id="{section}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part, flags=re.S):
        rows.append([re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)])
    return rows


def lifecycle_factor(country):
    """kg CO2-eq/kWh of the latest life-cycle factor of a country, read from the CSV file, and its dataset id."""
    rows = [row for row in csv_rows("electricity_china.csv") if row["dataset"].startswith(f"electricity_lifecycle_{country}_")]
    latest = max(rows, key=lambda row: int(row["dataset"].rsplit("_", 1)[1]))
    assert latest["flow"] == "co2e_aggregated" and latest["flow_unit"] == "kg"
    return float(latest["amount"]), latest["dataset"]


def test_report_shows_the_real_grid_factors(dossiers):
    """The life-cycle basis (the default): China's latest national factor for every site, not a pointer's amount of 1.
    (The CO2-only factors of the official basis: Xinjiang 0.6021 and Jiangsu 0.5827 kg CO2/kWh, MEE 2023.)"""
    assert (grid_factor("CN-XJ"), grid_factor("CN-JS")) == (0.6021, 0.5827)
    factor_cn, dataset = lifecycle_factor("CN")
    files = dossiers["kr-carbon", "en"]
    html = files.html.read_text(encoding="utf-8")
    rows = table_rows(html, "electricity_location")
    by_stage = {cells[0][0]: cells for cells in rows[1:] if cells and cells[0]}
    for stage in ("Metallurgical", "Polysilicon", "Wafer", "Cell", "Module"):
        kwh, factor, emissions = (float(by_stage[stage][k][0].replace(",", "")) for k in (2, 3, 4))
        assert factor == pytest.approx(factor_cn, abs=5e-5), stage
        assert emissions == pytest.approx(kwh * factor_cn, rel=2e-3), stage
    # the emission-factor table says the same, per kWh
    assert re.search(rf"{dataset} · CN · kWh</span></td>\s*<td class=\"num\">{factor_cn:g}<br>", html)


def test_market_based_electricity_is_rendered_with_its_number(dossiers):
    from footprint.calc import compute

    result = compute(PERC, per="kWp")
    files = dossiers["cn-cfp", "en"]
    html = files.html.read_text(encoding="utf-8")
    assert "{&#39;value&#39;" not in html and "{'value'" not in html
    market = result.electricity.market_based.value
    said = re.search(r"Market-based result: ([\d,.]+) kg CO2-eq/kWp \(location-based: ([\d,.]+) kg CO2-eq/kWp\)\.", html)
    # 4 significant digits, trailing zeros left out (103 for 103.0)
    assert float(said.group(1).replace(",", "")) == pytest.approx(market, abs=0.05)
    assert float(said.group(2).replace(",", "")) == pytest.approx(result.total.value, abs=0.05)
    assert "No contractual instruments" in html and "No residual mix is bundled" in html
    section = html.split('id="electricity_market"', 1)[1].split("</section>", 1)[0]
    assert "Location- and market-based results by stage" in section
    shown = re.findall(r'<td class="num">([\d,.]+)</td>', section)
    polysilicon = result.electricity.market_based_by_stage["polysilicon"].value
    assert any(abs(float(text.replace(",", "")) - polysilicon) <= 0.05 + 5e-4 * polysilicon for text in shown)


def test_market_based_with_instruments_shows_them_by_stage(footprint_home, tmp_path):
    from footprint.calc import compute

    site = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))
    site["output"] = {"perc-gb-550-jiangsu": "600 MWp", "another-module": "400 MWp"}
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["cell"]["electricity_instruments"] = "site.yaml"
    raw["product"]["electricity_basis"] = "official"  # the site file's certificate has no life-cycle factor of its own
    product = tmp_path / "p.yaml"
    product.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = compute(product, per="kWp")
    assert result.electricity.market_based.value < result.total.value
    files = write_report(product, scheme="cn-cfp", out_dir=tmp_path / "out", pdf=False)
    section = files.html.read_text(encoding="utf-8").split('id="electricity_market"', 1)[1].split("</section>", 1)[0]
    assert f"Market-based result: {result.electricity.market_based.value:,.1f} kg CO2-eq/kWp" in section
    assert "GEC-2024-JS-001" in section and "PPA-2024-07" in section and "No contractual instruments" not in section
    cell = result.electricity.market_based_by_stage["cell"].value
    shown = [float(text.replace(",", "")) for text in re.findall(r'<td class="num">([\d,.]+)</td>', section)]
    assert any(abs(value - cell) <= 0.005 + 5e-4 * cell for value in shown) and cell < result.by_stage["cell"].value


def test_label_of_an_incomplete_evaluation_shows_the_draft_badge_beside_the_grade(footprint_home, tmp_path):
    files = write_report(PERC, scheme="kr-carbon", out_dir=tmp_path, pdf=False, lang="both")
    decision = files.decision
    assert decision.outcome == "incomplete" and decision.grade
    svg = files.label_svg.read_text(encoding="utf-8")
    assert ">草稿:要求未满足</text>" in svg and ">draft: requirements not met</text>" in svg
    # without a certificate the grade is what the product would meet, not the scheme's grade as granted
    assert f">可达到{decision.grade}级 · would meet Grade {decision.grade}</text>" in svg
    # the wording is drawn once per language: a self-assessment's, never the scheme's certification wording
    assert f">{decision.label_text['zh']}</text>" in svg and f">{decision.label_text['en']}</text>" in svg
    assert "Self-assessed, not certified: " in decision.label_text["en"]
    assert "Carbon certification Grade" not in svg and "Carbon grade Grade" not in svg


def test_fr_ecs_label_caption_comes_from_the_scheme(footprint_home, tmp_path):
    files = write_report(PERC, scheme="fr-ecs", out_dir=tmp_path, pdf=False, factors=DATA / "ecs-test-factors.csv",
                         shares=DATA / "ecs-test-shares.csv")
    svg = files.label_svg.read_text(encoding="utf-8")
    assert ">Évaluation carbone simplifiée (ECS)</text>" in svg and "Carbon footprint, cradle to gate" not in svg
    payload = re.search(r"<desc>([^<]*)</desc>", svg).group(1)
    assert f";factors={hashlib.sha256((DATA / 'ecs-test-factors.csv').read_bytes()).hexdigest()}" in payload


def test_chinese_report_translates_library_text(dossiers):
    files = dossiers["cn-cfp", "zh"]
    html = files.html.read_text(encoding="utf-8")
    for english in ("interval not stated in the sources", "electricity is a bundled default", "GB/T 24067 leaves the declared", "CO2, fossil",
                    "default: ", "product file (", "low-density polyethylene", "declared unit 1 kWp", "self-assessed, not certified"):
        assert english not in html, english
    for chinese in ("获证后监督", "电力为内置默认值", "CO2(化石)", "低密度聚乙烯", "封装胶膜(LDPE)", "声明单位 1 kWp", "产品文件 (",
                    "自我评估,未经认证"):
        assert chinese in html, chinese


def test_every_inventory_scope_has_words_for_the_reader():
    # a scope without an entry would print its raw key ("co2e_lifecycle") in the report
    from footprint.bundle import read as inventories
    from footprint.report import context as report

    assert set(inventories.SCOPES) <= set(report.SCOPES)
    for words in report.SCOPES.values():
        assert words["en"] and words["zh"] and words["zh"] != words["en"]
