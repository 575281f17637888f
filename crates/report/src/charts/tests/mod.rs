mod fixtures;

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use fixtures::*;

#[test]
fn charts_every_chart_is_self_contained_and_accessible() {
    for (name, svg) in samples() {
        let doc = parse(&svg);
        let root = doc.root_element();
        assert!(root.has_tag_name("svg"), "{name}");
        assert_eq!(root.attribute("role"), Some("img"), "{name}");
        assert_eq!(root.attribute("width"), Some("100%"), "{name}");
        assert!(root.attribute("viewBox").is_some(), "{name}");
        assert!(
            !root.attribute("aria-label").unwrap_or_default().is_empty(),
            "{name}"
        );
        assert!(
            root.attribute("font-family")
                .unwrap()
                .contains("'Microsoft YaHei'"),
            "{name}"
        );
        assert_eq!(
            first_title(root),
            root.attribute("aria-label")
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
        );
        for bad in ["<script", "url(", "@import", "@font-face", "<image", " id="] {
            assert!(!svg.contains(bad), "{name} contains {bad}");
        }
        assert!(view_box_height(&doc) > 100.0, "{name}");
    }
}

#[test]
fn charts_marks_link_to_the_ledger_with_escaped_urls_and_tooltips() {
    for svg in [
        unit_bars(&completion_rates()),
        share(&content_mix(ShareStyle::Donut)),
    ] {
        assert!(
            svg.contains("&amp;") || svg.contains("area="),
            "raw ampersands are escaped"
        );
        let doc = parse(&svg);
        assert!(!links(&doc).is_empty());
        for a in links(&doc) {
            let href = a.attribute("href").unwrap();
            assert!(href.starts_with("/ledger?"));
            assert_eq!(
                a.attribute(("http://www.w3.org/1999/xlink", "href")),
                Some(href)
            );
            assert!(!first_title(a).is_empty());
        }
    }
    let doc_svg = unit_bars(&completion_rates());
    assert!(doc_svg.contains(r#"href="/ledger?unit=0&amp;state=done""#));
    let doc = parse(&doc_svg);
    let a = links(&doc).into_iter().next().unwrap();
    assert_eq!(a.attribute("href"), Some("/ledger?unit=0&state=done"));
    assert_eq!(first_title(a), "集团总部机关 · 完成率 100%");

    let weekly_svg = weekly(&weekly_chart(WeeklyStyle::Lines, 4));
    let doc = parse(&weekly_svg);
    assert_eq!(links(&doc).len(), 4, "only the 新增 points are linked");
    assert!(first_title(links(&doc)[0]).starts_with("W37 · 新增 "));
}

#[test]
fn charts_only_web_links_are_kept() {
    let mut chart = completion_rates();
    let hrefs = [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "",
        "https://oa.example/l?a=1",
        "ledger/3",
    ];
    for (row, h) in chart.rows.iter_mut().zip(hrefs) {
        row.values[0].href = Some(h.to_string());
    }
    let svg = unit_bars(&chart);
    let doc = parse(&svg);
    let kept: Vec<_> = links(&doc)
        .iter()
        .map(|a| a.attribute("href").unwrap().to_string())
        .collect();
    assert_eq!(kept[..2], ["https://oa.example/l?a=1", "ledger/3"]);
    assert!(!svg.to_ascii_lowercase().contains("javascript"));
    assert!(!svg.contains("data:"));
}

#[test]
fn charts_chinese_labels_and_caller_words_are_present() {
    let all: String = samples().into_iter().map(|(_, s)| s).collect();
    for word in [
        "第一分公司",
        "完成率",
        "临期预警",
        "新增",
        "完成",
        "服务基层",
        "助力乡村振兴",
        "基本满意",
        "不满意",
        "项实事",
        NOTE,
        "W47",
    ] {
        assert!(all.contains(word), "{word} missing");
    }
    let doc_svg = share(&satisfaction(ShareStyle::Donut));
    let doc = parse(&doc_svg);
    let shown_texts: Vec<String> = texts(&doc).into_iter().map(shown).collect();
    for expected in ["满意", "41", "74.6%", "21.8%", "3.6%", "55"] {
        assert!(
            shown_texts.iter().any(|t| t == expected),
            "{expected} not in {shown_texts:?}"
        );
    }
}

#[test]
fn charts_special_characters_are_escaped() {
    let nasty = r#"A&B <b>"引号"</b> 'x' ]]> &amp;"#;
    let bars = UnitBars {
        frame: Frame::new(nasty, nasty).with_subtitle(nasty),
        scale: Scale::Count,
        series: vec![nasty.into(), "\u{0}\u{1b}控制\u{7}字符\n换行".into()],
        rows: vec![Group::new(
            nasty,
            vec![Datum::linked(3.0, r#"/l?a=1&b="2"<x>"#), Datum::new(1.0)],
        )],
    };
    let weekly_chart = WeeklyChart {
        frame: Frame::new(nasty, nasty),
        style: WeeklyStyle::Lines,
        series: vec![nasty.into()],
        weeks: vec![Group::new(nasty, vec![Datum::new(2.0)])],
    };
    let share_chart = ShareChart {
        frame: Frame::new(nasty, nasty),
        style: ShareStyle::Donut,
        palette: SharePalette::Satisfaction,
        segments: vec![
            Segment::new(nasty, Datum::new(1.0)),
            Segment::new("\u{fffe}", Datum::new(1.0)),
        ],
        total_caption: Some(nasty.into()),
    };
    for svg in [unit_bars(&bars), weekly(&weekly_chart), share(&share_chart)] {
        assert!(!svg.contains("<b>") && !svg.contains("]]>"), "{svg}");
        let doc = parse(&svg);
        assert_eq!(
            doc.root_element()
                .children()
                .find(|c| c.is_element())
                .unwrap()
                .text(),
            Some(nasty)
        );
        let with_label = doc
            .descendants()
            .filter_map(|n| n.text())
            .any(|t| t == nasty || t.starts_with("A&B <b>"));
        assert!(with_label, "the label survives escaping");
    }
    let doc_svg = unit_bars(&bars);
    let doc = parse(&doc_svg);
    assert_eq!(links(&doc)[0].attribute("href"), Some(r#"/l?a=1&b="2"<x>"#));
}

#[test]
fn charts_empty_data_shows_the_callers_note_in_the_frame() {
    let zeros = UnitBars {
        rows: UNITS
            .iter()
            .map(|u| Group::new(*u, vec![Datum::new(0.0)]))
            .collect(),
        ..completion_rates()
    };
    let nans = WeeklyChart {
        weeks: (0..5)
            .map(|i| Group::new(format!("W{i}"), vec![Datum::new(f64::NAN); 2]))
            .collect(),
        ..weekly_chart(WeeklyStyle::Lines, 0)
    };
    let no_values = UnitBars {
        rows: vec![Group::new("甲", vec![])],
        ..overdue_grouped()
    };
    let zero_share = ShareChart {
        segments: vec![
            Segment::new("满意", Datum::new(0.0)),
            Segment::new("不满意", Datum::new(-1.0)),
        ],
        ..satisfaction(ShareStyle::StackedBar)
    };
    let no_series = UnitBars {
        series: vec![],
        rows: vec![],
        ..completion_rates()
    };
    for svg in [
        unit_bars(&zeros),
        weekly(&nans),
        unit_bars(&no_values),
        share(&zero_share),
        unit_bars(&no_series),
    ] {
        let doc = parse(&svg);
        let empty = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("shishi-empty"));
        assert!(empty.is_some(), "{svg}");
        assert!(texts(&doc).into_iter().any(|t| shown(t) == NOTE));
        assert!(links(&doc).is_empty());
    }
}

#[test]
fn charts_nan_infinite_negative_and_huge_values_do_not_panic() {
    let odd = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -5.0,
        0.0,
        1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e15,
        0.4,
    ];
    let data: Vec<Datum> = odd.iter().map(|v| Datum::linked(*v, "/x")).collect();
    for width in [f64::NAN, 0.0, -1.0, 1e12, 360.0, f64::INFINITY] {
        for scale in [Scale::Count, Scale::Percent] {
            let bars = UnitBars {
                frame: Frame::new("", "").with_width(width),
                scale,
                series: vec!["a".into(), "b".into(), "c".into()],
                rows: odd
                    .iter()
                    .map(|v| Group::new(format!("{v}"), data.clone()))
                    .collect(),
            };
            parse(&unit_bars(&bars));
        }
        for style in [WeeklyStyle::Bars, WeeklyStyle::Lines] {
            let chart = WeeklyChart {
                frame: Frame::new("t", "n").with_width(width),
                style,
                series: vec![],
                weeks: odd
                    .iter()
                    .map(|v| Group::new(format!("{v}"), vec![Datum::new(*v)]))
                    .collect(),
            };
            parse(&weekly(&chart));
        }
        for style in [ShareStyle::Donut, ShareStyle::StackedBar] {
            let segments: Vec<_> = odd
                .iter()
                .map(|v| Segment::new("段", Datum::new(*v)))
                .collect();
            let chart = ShareChart {
                frame: Frame::new("t", "n").with_width(width),
                style,
                palette: SharePalette::Categories,
                segments,
                total_caption: Some(String::new()),
            };
            parse(&share(&chart));
        }
    }
    let doc_svg = unit_bars(&UnitBars {
        rows: vec![Group::new("巨", vec![Datum::new(1e300)])],
        ..completion_rates()
    });
    assert!(doc_svg.contains("1.00e300%"));
}

#[test]
fn charts_three_hundred_units_grow_in_height_instead_of_overlapping() {
    let small = parse(&unit_bars(&many_units(10)))
        .root_element()
        .attribute("viewBox")
        .map(String::from);
    let svg = unit_bars(&many_units(300));
    let doc = parse(&svg);
    assert!(view_box_height(&doc) > 300.0 * 24.0, "{small:?}");
    let ys: Vec<f64> = texts(&doc)
        .into_iter()
        .filter(|t| shown(*t).starts_with('第'))
        .map(|t| t.attribute("y").unwrap().parse().unwrap())
        .collect();
    assert_eq!(ys.len(), 300);
    assert!(
        ys.windows(2).all(|w| w[1] - w[0] >= 20.0),
        "rows are at least a line apart"
    );
    // One unit only: still a proper chart.
    parse(&unit_bars(&many_units(1)));
}

#[test]
fn charts_long_names_are_cut_with_the_full_name_as_tooltip() {
    let long = "某某省某某市某某县供电公司运维检修部配电运检班组第二十七党小组".repeat(3);
    let chart = UnitBars {
        rows: vec![Group::new(long.clone(), vec![Datum::new(50.0)])],
        ..completion_rates()
    };
    let doc_svg = unit_bars(&chart);
    let doc = parse(&doc_svg);
    let label = texts(&doc)
        .into_iter()
        .find(|t| shown(*t).starts_with("某某省"))
        .unwrap();
    assert!(shown(label).ends_with('…'));
    assert!(shown(label).chars().count() < 30);
    assert_eq!(first_title(label), long);
    let legend = share(&ShareChart {
        segments: vec![Segment::new(long.clone(), Datum::new(1.0))],
        ..content_mix(ShareStyle::Donut)
    });
    assert!(legend.contains(&format!("<title>{long}</title>")));
}

#[test]
fn charts_many_weeks_thin_their_labels_and_keep_the_latest() {
    let svg = weekly(&weekly_chart(WeeklyStyle::Bars, 52));
    let doc = parse(&svg);
    let weeks: Vec<String> = texts(&doc)
        .into_iter()
        .map(shown)
        .filter(|t| t.starts_with('W'))
        .collect();
    assert!(weeks.len() < 52 && weeks.len() >= 6, "{weeks:?}");
    assert_eq!(weeks.last().map(String::as_str), Some("W36"));
}

#[test]
fn charts_shares_add_up_to_a_hundred_and_a_whole_ring_is_drawn() {
    let thirds = ShareChart {
        segments: ["甲", "乙", "丙"]
            .iter()
            .map(|s| Segment::new(*s, Datum::new(1.0)))
            .collect(),
        ..content_mix(ShareStyle::Donut)
    };
    let doc_svg = share(&thirds);
    let doc = parse(&doc_svg);
    let pcts: Vec<String> = texts(&doc)
        .into_iter()
        .map(shown)
        .filter(|t| t.ends_with('%'))
        .collect();
    assert_eq!(
        pcts[3..],
        ["33.4%", "33.3%", "33.3%"],
        "legend after the in-ring labels"
    );

    let whole = ShareChart {
        segments: vec![
            Segment::new("满意", Datum::new(9.0)),
            Segment::new("不满意", Datum::new(0.0)),
        ],
        ..satisfaction(ShareStyle::Donut)
    };
    let svg = share(&whole);
    let doc = parse(&svg);
    let path = doc.descendants().find(|n| n.has_tag_name("path")).unwrap();
    assert_eq!(path.attribute("d").unwrap().matches('A').count(), 4);
    assert!(svg.contains("100.0%") && svg.contains("0.0%"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn charts_any_labels_and_values_give_well_formed_svg(
        labels in proptest::collection::vec(any::<String>(), 0..12),
        values in proptest::collection::vec(any::<f64>(), 0..12),
        width in any::<f64>(),
    ) {
        let data = |i: usize| Datum::linked(values.get(i).copied().unwrap_or(0.0), labels.get(i).cloned().unwrap_or_default());
        let groups: Vec<Group> = labels.iter().enumerate().map(|(i, l)| Group::new(l.clone(), vec![data(i), data(i + 1)])).collect();
        let frame = Frame::new(labels.first().cloned().unwrap_or_default(), labels.last().cloned().unwrap_or_default()).with_width(width);
        let series: Vec<String> = labels.iter().take(2).cloned().collect();
        parse(&unit_bars(&UnitBars { frame: frame.clone(), scale: Scale::Percent, series: series.clone(), rows: groups.clone() }));
        parse(&weekly(&WeeklyChart { frame: frame.clone(), style: WeeklyStyle::Lines, series, weeks: groups }));
        let segments = labels.iter().enumerate().map(|(i, l)| Segment::new(l.clone(), data(i))).collect();
        parse(&share(&ShareChart { frame, style: ShareStyle::Donut, palette: SharePalette::Satisfaction, segments, total_caption: labels.get(1).cloned() }));
    }
}

/// Also under `target/chart-samples/` with an HTML page of them all, for a person to look at.
#[test]
fn charts_write_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("chart-samples");
    std::fs::create_dir_all(&target).unwrap();
    let mut page = String::from(
        "<!doctype html><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>shishi charts</title><body style=\"background:#f3f4f6;margin:16px\">",
    );
    for (name, svg) in samples() {
        parse(&svg);
        for dir in [tmp.path(), target.as_path()] {
            std::fs::write(dir.join(format!("{name}.svg")), &svg).unwrap();
        }
        page.push_str(&format!(
            "<div style=\"max-width:720px;background:#fff;margin:0 0 16px;border-radius:8px\">{svg}</div>"
        ));
    }
    std::fs::write(target.join("index.html"), page).unwrap();
    assert!(tmp.path().join("weekly-bars.svg").exists());
}
