//! Unit and people lists.

use shishi_core::Role;

use super::support::{book, strings};
use crate::import::{PersonRow, UnitRow, read_people, read_units};

fn v(levels: &[&str]) -> Vec<String> {
    levels.iter().map(|l| l.to_string()).collect()
}

#[test]
fn reads_a_unit_list_with_paths_and_repeats() {
    let bytes = book(|sheet| {
        sheet.merge_range(0, 0, 0, 3, "单位导入模板", &super::support::merged())?;
        strings(
            sheet,
            1,
            &["单位名称（必填）", "上级单位", "单位类型", "排序"],
        )?;
        strings(sheet, 2, &["一公司", "", "子公司"])?;
        sheet.write_number(2, 3, 1.0)?;
        strings(sheet, 3, &["车间", "集团/一公司", "部门", "2"])?;
        strings(sheet, 4, &["班组", "集团 ／ 一公司 ／ 车间", "", "第三"])?;
        strings(sheet, 5, &["车间", "集团/一公司"])?;
        strings(sheet, 6, &["二公司", "二公司"])?;
        strings(sheet, 7, &["三/四公司", "集团//一公司"])?;
        strings(sheet, 8, &["", "集团"])?;
        sheet.write_number(9, 0, 2.5)?;
        sheet.write_number(9, 3, 2.5)?;
        Ok(())
    });
    let parsed = read_units(&bytes).expect("parsed");
    assert_eq!(parsed.header_row, 2);
    let messages: Vec<String> = parsed.problems.iter().map(|p| p.message("zh")).collect();
    assert_eq!(
        messages,
        vec![
            "第 5 行 D 列（排序）：“第三”不是整数",
            "第 6 行 A 列（单位名称）：“集团/一公司/车间”与第 4 行重复",
            "第 7 行 B 列（上级单位）：上级单位不能是单位自己",
            "第 8 行 A 列（单位名称）：单位名称“三/四公司”不能包含路径分隔符（/ 或 >）",
            "第 8 行 B 列（上级单位）：单位路径“集团//一公司”中有空的层级，请写成 集团/一公司/车间",
            "第 9 行 A 列（单位名称）：不能为空",
            "第 10 行 D 列（排序）：“2.5”不是整数",
        ]
    );
    assert_eq!(
        parsed.problems.get(1).map(|p| p.message("en")),
        Some(
            "Row 6, column A (Unit name): \"集团/一公司/车间\" already appears in row 4"
                .to_string()
        )
    );
    let unit = |row, name: &str, parent: &[&str], unit_type: Option<&str>, sort_order| UnitRow {
        row,
        name: name.into(),
        parent: v(parent),
        unit_type: unit_type.map(Into::into),
        sort_order,
    };
    assert_eq!(
        parsed.rows,
        vec![
            unit(3, "一公司", &[], Some("子公司"), Some(1)),
            unit(4, "车间", &["集团", "一公司"], Some("部门"), Some(2)),
            unit(5, "班组", &["集团", "一公司", "车间"], None, None),
            unit(6, "车间", &["集团", "一公司"], None, None),
            unit(7, "二公司", &["二公司"], None, None),
            unit(8, "三/四公司", &[], None, None),
            unit(9, "", &["集团"], None, None),
            unit(10, "2.5", &[], None, None),
        ]
    );
}

#[test]
fn reads_a_people_list_and_checks_each_cell() {
    let bytes = book(|sheet| {
        strings(
            sheet,
            0,
            &["账号", "姓名", "所属单位", "手机", "邮箱", "角色"],
        )?;
        strings(
            sheet,
            1,
            &[
                "zhang.san",
                "张三",
                "集团/一公司",
                "138-0013-8000",
                "zs@example.com",
                "责任人、单位管理员",
            ],
        )?;
        sheet.write_number(2, 0, 10086.0)?;
        strings(
            sheet,
            2,
            &["", "李四", "一公司", "", "", "群众，督导组；leader"],
        )?;
        sheet.write_number(2, 3, 13900139000.0)?;
        strings(sheet, 3, &["Zhang.San", "张三二", "车间", "010-12345678"])?;
        strings(sheet, 4, &["张三", "", "", "12345", "zs@", "老板"])?;
        strings(sheet, 5, &["ab", "王五", "车间", "", "a@b@c.com"])?;
        strings(
            sheet,
            6,
            &[
                "wang_wu@corp",
                "王五",
                "车间",
                "+86 139 0000 1111",
                "w@corp.cn",
                "system_admin, 职工",
            ],
        )?;
        Ok(())
    });
    let parsed = read_people(&bytes).expect("parsed");
    let messages: Vec<String> = parsed.problems.iter().map(|p| p.message("zh")).collect();
    assert_eq!(
        messages,
        vec![
            "第 4 行 A 列（账号）：“Zhang.San”与第 2 行重复",
            "第 5 行 A 列（账号）：账号“张三”无效：只能使用字母、数字和 . _ - @，长度 3 到 64 位",
            "第 5 行 B 列（姓名）：不能为空",
            "第 5 行 C 列（所属单位）：不能为空",
            "第 5 行 D 列（手机）：无法识别的电话“12345”，请填写 11 位手机号，或带区号的座机号（如 010-12345678）",
            "第 5 行 E 列（邮箱）：邮箱“zs@”格式不正确",
            "第 5 行 F 列（角色）：无法识别的角色“老板”，可填：群众、职工、受理员、责任人、单位管理员、督导、督导组、领导、系统管理员，多个角色用逗号或顿号分隔",
            "第 6 行 A 列（账号）：账号“ab”无效：只能使用字母、数字和 . _ - @，长度 3 到 64 位",
            "第 6 行 E 列（邮箱）：邮箱“a@b@c.com”格式不正确",
        ]
    );
    assert_eq!(
        parsed.problems.first().map(|p| p.message("en")),
        Some("Row 4, column A (Account): \"Zhang.San\" already appears in row 2".to_string())
    );
    let first = parsed.rows.first().cloned();
    assert_eq!(
        first,
        Some(PersonRow {
            row: 2,
            account: "zhang.san".into(),
            name: "张三".into(),
            unit: v(&["集团", "一公司"]),
            mobile: Some("13800138000".into()),
            email: Some("zs@example.com".into()),
            roles: vec![Role::Handler, Role::UnitAdmin],
        })
    );
    assert_eq!(
        parsed.rows.get(1),
        Some(&PersonRow {
            row: 3,
            account: "10086".into(),
            name: "李四".into(),
            unit: v(&["一公司"]),
            mobile: Some("13900139000".into()),
            email: None,
            roles: vec![Role::Member, Role::Supervisor, Role::Leader],
        })
    );
    assert_eq!(
        parsed.rows.get(2).and_then(|p| p.mobile.as_deref()),
        Some("010-12345678")
    );
    assert_eq!(
        parsed.rows.last(),
        Some(&PersonRow {
            row: 7,
            account: "wang_wu@corp".into(),
            name: "王五".into(),
            unit: v(&["车间"]),
            mobile: Some("13900001111".into()),
            email: Some("w@corp.cn".into()),
            roles: vec![Role::SystemAdmin, Role::Member],
        })
    );
}
