//! Sample charts and small helpers for reading the SVG back.

use roxmltree::{Document, Node};

use crate::charts::*;

pub(super) const UNITS: [&str; 8] = [
    "集团总部机关",
    "第一分公司",
    "第二分公司",
    "华东能源有限公司",
    "西北物流中心",
    "技术研究院",
    "客户服务中心",
    "某某省电力工程建设有限责任公司第三项目部",
];
pub(super) const NOTE: &str = "暂无数据";

pub(super) fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"))
}

pub(super) fn texts<'a>(doc: &'a Document) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect()
}

/// The text a reader sees, without the tooltip of a cut label.
pub(super) fn shown(node: Node) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

pub(super) fn links<'a>(doc: &'a Document) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| n.has_tag_name("a")).collect()
}

pub(super) fn first_title(node: Node) -> String {
    let title = node
        .children()
        .find(|c| c.is_element())
        .expect("mark has children");
    assert!(
        title.has_tag_name("title"),
        "a mark's first child is its tooltip"
    );
    title.text().unwrap_or_default().to_string()
}

pub(super) fn view_box_height(doc: &Document) -> f64 {
    let vb = doc.root_element().attribute("viewBox").unwrap();
    vb.split(' ').nth(3).unwrap().parse().unwrap()
}

pub(super) fn completion_rates() -> UnitBars {
    let rates = [100.0, 93.3, 87.5, 80.0, 66.7, 50.0, 33.3, 0.0];
    UnitBars {
        frame: Frame::new("各单位实事完成率", NOTE).with_subtitle("截至 2024年11月30日 · 单位：%"),
        scale: Scale::Percent,
        series: vec!["完成率".into()],
        rows: UNITS
            .iter()
            .zip(rates)
            .enumerate()
            .map(|(i, (u, r))| {
                Group::new(
                    *u,
                    vec![Datum::linked(r, format!("/ledger?unit={i}&state=done"))],
                )
            })
            .collect(),
    }
}

pub(super) fn overdue_grouped() -> UnitBars {
    let counts = [
        (3.0, 1.0),
        (0.0, 0.0),
        (7.0, 2.0),
        (12.0, 5.0),
        (1.0, 1.0),
        (4.0, 0.0),
    ];
    UnitBars {
        frame: Frame::new("各单位超期与预警事项", NOTE).with_subtitle("单位：项"),
        scale: Scale::Count,
        series: vec!["超期".into(), "临期预警".into()],
        rows: UNITS
            .iter()
            .zip(counts)
            .map(|(u, (a, b))| {
                Group::new(
                    *u,
                    vec![Datum::linked(a, "/ledger?overdue=1"), Datum::new(b)],
                )
            })
            .collect(),
    }
}

pub(super) fn weekly_chart(style: WeeklyStyle, weeks: usize) -> WeeklyChart {
    WeeklyChart {
        frame: Frame::new("近12周新增与完成", NOTE).with_subtitle("单位：项"),
        style,
        series: vec!["新增".into(), "完成".into()],
        weeks: (0..weeks)
            .map(|i| {
                let new = ((i * 7) % 11 + 2) as f64;
                let done = ((i * 5) % 9 + 1) as f64;
                Group::new(
                    format!("W{}", (36 + i) % 52 + 1),
                    vec![
                        Datum::linked(new, format!("/ledger?week={i}&kind=new")),
                        Datum::new(done),
                    ],
                )
            })
            .collect(),
    }
}

pub(super) fn content_mix(style: ShareStyle) -> ShareChart {
    let areas = [
        ("服务基层", 21.0),
        ("关爱员工", 17.0),
        ("为军惠军", 4.0),
        ("助力乡村振兴", 12.0),
        ("支持合作伙伴", 8.0),
    ];
    ShareChart {
        frame: Frame::new("实事内容领域分布", NOTE).with_subtitle("共62项"),
        style,
        palette: SharePalette::Categories,
        segments: areas
            .iter()
            .map(|(a, v)| Segment::new(*a, Datum::linked(*v, format!("/ledger?area={a}"))))
            .collect(),
        total_caption: Some("项实事".into()),
    }
}

pub(super) fn satisfaction(style: ShareStyle) -> ShareChart {
    ShareChart {
        frame: Frame::new("群众满意度", NOTE),
        style,
        palette: SharePalette::Satisfaction,
        segments: vec![
            Segment::new("满意", Datum::linked(41.0, "/ledger?rating=3")),
            Segment::new("基本满意", Datum::linked(12.0, "/ledger?rating=2")),
            Segment::new("不满意", Datum::linked(2.0, "/ledger?rating=1")),
        ],
        total_caption: Some("条评价".into()),
    }
}

/// Every chart the module can draw, by a file name for the samples.
pub(super) fn samples() -> Vec<(&'static str, String)> {
    let phone = |mut f: Frame| {
        f.width = 360.0;
        f
    };
    let mut rates_phone = completion_rates();
    rates_phone.frame = phone(rates_phone.frame);
    let mut mix_phone = content_mix(ShareStyle::Donut);
    mix_phone.frame = phone(mix_phone.frame);
    vec![
        ("unit-completion-rate", unit_bars(&completion_rates())),
        ("unit-completion-rate-phone", unit_bars(&rates_phone)),
        ("unit-overdue-grouped", unit_bars(&overdue_grouped())),
        ("unit-300", unit_bars(&many_units(300))),
        ("weekly-bars", weekly(&weekly_chart(WeeklyStyle::Bars, 12))),
        (
            "weekly-lines",
            weekly(&weekly_chart(WeeklyStyle::Lines, 12)),
        ),
        (
            "weekly-bars-52",
            weekly(&weekly_chart(WeeklyStyle::Bars, 52)),
        ),
        (
            "share-content-donut",
            share(&content_mix(ShareStyle::Donut)),
        ),
        ("share-content-donut-phone", share(&mix_phone)),
        (
            "share-content-stacked",
            share(&content_mix(ShareStyle::StackedBar)),
        ),
        (
            "share-satisfaction-stacked",
            share(&satisfaction(ShareStyle::StackedBar)),
        ),
        (
            "share-satisfaction-donut",
            share(&satisfaction(ShareStyle::Donut)),
        ),
        (
            "empty-units",
            unit_bars(&UnitBars {
                rows: vec![],
                ..completion_rates()
            }),
        ),
        (
            "empty-weekly",
            weekly(&WeeklyChart {
                weeks: vec![],
                ..weekly_chart(WeeklyStyle::Bars, 0)
            }),
        ),
        (
            "empty-share",
            share(&ShareChart {
                segments: vec![],
                ..satisfaction(ShareStyle::Donut)
            }),
        ),
    ]
}

pub(super) fn many_units(n: usize) -> UnitBars {
    UnitBars {
        frame: Frame::new("各基层单位完成率", NOTE),
        scale: Scale::Percent,
        series: vec!["完成率".into()],
        rows: (0..n)
            .map(|i| {
                Group::new(
                    format!("第{}基层单位", i + 1),
                    vec![Datum::new((i * 37 % 101) as f64)],
                )
            })
            .collect(),
    }
}
