//! The demo organisation: a group with subsidiaries and units, people in every role and
//! matters in every state. Loaded by `shishi demo` and `shishi serve --demo`.
//!
//! Everything goes through the service commands (so the rules hold and the audit trail tells
//! each matter's story), except the people: Argon2 is slow, so the one demo password is hashed
//! once and the accounts are written in one transaction, audited as a system admin would be.
//! Dates are relative to today, so the ledger looks alive (some matters late, some at risk)
//! whenever the demo is loaded. About three hundred demands (诉求) follow the matters (see
//! `demo_demands.rs`), many of them adopted into those matters, many still waiting in the
//! inboxes.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use shishi_core::Role;
use shishi_core::matter::MatterAction;
use shishi_store::{audit, users};

use crate::auth::hash_password;
use crate::campaigns::CampaignInput;
use crate::matters::MatterInput;
use crate::units::UnitInput;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[path = "demo_demands.rs"]
mod demo_demands;
#[path = "demo_driving.rs"]
mod demo_driving;

/// Every demo account's password (demo mode only).
pub const DEMO_PASSWORD: &str = "shishi-demo";

/// The demo group's name.
pub const DEMO_ORG: &str = "示范钢铁集团有限公司";

pub struct DemoReport {
    pub loaded: bool,
    /// `(username, what they are)` for the printed list of logins; empty when nothing was
    /// loaded because the database already had an organisation.
    pub logins: Vec<(String, String)>,
}

/// The unit tree below the group (key `group`): `(key, parent key, name, kind)`.
const UNITS: &[(&str, &str, &str, &str)] = &[
    ("g_party", "group", "集团党委办公室", "department"),
    ("g_union", "group", "集团工会", "department"),
    ("g_hr", "group", "集团人力资源部", "department"),
    ("s1", "group", "示范钢铁股份有限公司", "subsidiary"),
    ("s1_party", "s1", "股份公司机关党委办公室", "department"),
    ("s1_steel", "s1", "第一炼钢厂", "unit"),
    ("s1_maint", "s1_steel", "检修车间", "department"),
    ("s1_bof", "s1_steel", "转炉车间", "department"),
    ("s1_hot", "s1", "热轧厂", "unit"),
    ("s1_trans", "s1", "运输部", "unit"),
    ("s1_energy", "s1", "能源动力厂", "unit"),
    ("s2", "group", "示范矿业有限公司", "subsidiary"),
    ("s2_union", "s2", "矿业公司工会", "department"),
    ("s2_mine", "s2", "东山铁矿", "unit"),
    ("s2_pit", "s2_mine", "采矿车间", "department"),
    ("s2_ore", "s2", "选矿厂", "unit"),
    ("s3", "group", "示范实业发展有限公司", "subsidiary"),
    ("s3_food", "s3", "餐饮服务中心", "unit"),
    ("s3_prop", "s3", "物业管理中心", "unit"),
    ("s3_kids", "s3", "幼教中心", "unit"),
    ("s3_bus", "s3", "通勤车队", "unit"),
];

type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(Role, &'static str)],
    &'static str,
);

/// `(username, name, home unit, grants, what they are)`. `admin` comes from `init`.
#[rustfmt::skip]
const PEOPLE: &[Person] = &[
    ("leader", "王建国", "g_party", &[(Role::Leader, "group")], "集团领导（党委书记）"),
    ("unitadmin", "李秀英", "g_party", &[(Role::UnitAdmin, "group")], "集团党委办公室 单位管理员（全集团清单）"),
    ("supervisor", "赵志刚", "g_party", &[(Role::Supervisor, "group")], "集团督导组"),
    ("clerk", "陈丽", "g_union", &[(Role::IntakeClerk, "group")], "集团工会 受理员"),
    ("clerk1", "钱晓燕", "s1_party", &[(Role::IntakeClerk, "s1")], "示范钢铁股份有限公司 受理员"),
    ("clerk2", "冯玉兰", "s2_union", &[(Role::IntakeClerk, "s2")], "示范矿业有限公司 受理员"),
    ("clerk3", "邓洁", "s3", &[(Role::IntakeClerk, "s3")], "示范实业发展有限公司 受理员"),
    ("member", "刘强", "s1_bof", &[(Role::Member, "s1_bof")], "第一炼钢厂转炉车间 职工"),
    ("sub1admin", "张伟", "s1_party", &[(Role::UnitAdmin, "s1")], "示范钢铁股份有限公司 单位管理员"),
    ("sub1leader", "马振华", "s1", &[(Role::Leader, "s1")], "示范钢铁股份有限公司 领导"),
    ("sub2admin", "孙丽娟", "s2_union", &[(Role::UnitAdmin, "s2")], "示范矿业有限公司 单位管理员"),
    ("sub3admin", "周敏", "s3", &[(Role::UnitAdmin, "s3")], "示范实业发展有限公司 单位管理员"),
    ("handler1", "王磊", "s1_maint", &[(Role::Handler, "s1_steel")], "第一炼钢厂 责任人"),
    ("handler2", "刘洋", "s1_trans", &[(Role::Handler, "s1_trans")], "运输部 责任人"),
    ("handler3", "杨帆", "s1_energy", &[(Role::Handler, "s1_energy")], "能源动力厂 责任人"),
    ("handler4", "林涛", "s1_hot", &[(Role::Handler, "s1_hot")], "热轧厂 责任人"),
    ("handler5", "黄海涛", "s2_mine", &[(Role::Handler, "s2_mine")], "东山铁矿 责任人"),
    ("handler6", "吴静", "s2_ore", &[(Role::Handler, "s2")], "矿业公司选矿厂 责任人"),
    ("handler7", "徐明", "s3_food", &[(Role::Handler, "s3_food")], "餐饮服务中心 责任人"),
    ("handler8", "朱红梅", "s3_kids", &[(Role::Handler, "s3_kids")], "幼教中心 责任人"),
    ("handler9", "胡斌", "s3_prop", &[(Role::Handler, "s3")], "物业管理中心 责任人"),
    ("handler10", "高峰", "s3_bus", &[(Role::Handler, "s3_bus")], "通勤车队 责任人"),
    ("handler11", "何芳", "g_union", &[(Role::Handler, "g_union")], "集团工会 责任人"),
    ("handler12", "郭亮", "g_hr", &[(Role::Handler, "g_hr")], "集团人力资源部 责任人"),
    ("handler13", "曹春燕", "s1_bof", &[(Role::Handler, "s1_bof")], "转炉车间 责任人"),
    ("handler14", "宋建军", "s2_pit", &[(Role::Handler, "s2_pit")], "采矿车间 责任人"),
    ("handler15", "韩雪", "s1_party", &[(Role::Handler, "s1")], "股份公司机关 责任人"),
];

/// `(name, description, starts (days from today), ends, stage, scope unit, created by)`.
/// `{year}` in a name becomes the current year.
type CampaignRow = (
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const CAMPAIGNS: &[CampaignRow] = &[
    ("{year}年“我为群众办实事”第一批项目", "聚焦职工群众急难愁盼问题，集团党委统一部署的第一批实事项目。", -150, 120, "implementation", "group", "unitadmin"),
    ("主题教育“为民办实事”专项", "主题教育期间检视问题、整改落实的为民办实事项目，进入检查验收阶段。", -240, 20, "acceptance", "group", "unitadmin"),
    ("示范矿业{year}年第二批实事项目", "矿业公司征集职工意见后拟定的第二批项目，正在筹划部署。", -10, 200, "planning", "s2", "sub2admin"),
];

/// Where a demo matter is driven to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    Proposed,
    Approved,
    InProgress,
    /// Completed, then returned by the supervisor: in progress again. The last log entry is
    /// posted after the return.
    Returned,
    Completed,
    Accepted,
    Closed,
    Suspended,
    Cancelled,
}
use Goal::*;

struct Demo {
    /// Unit key; the unit admin of its subsidiary (or of the group) creates and approves.
    unit: &'static str,
    /// The responsible person (责任人), a handler.
    owner: &'static str,
    /// Content area code.
    area: &'static str,
    tags: &'static str,
    /// 1-based index into `CAMPAIGNS`, 0 for none.
    batch: usize,
    /// Deadline in working days from today, negative in the past.
    due: i64,
    goal: Goal,
    /// Title of an earlier matter this one decomposes (拉条挂账).
    parent: &'static str,
    title: &'static str,
    text: &'static str,
    measures: &'static str,
    standard: &'static str,
    /// For suspending, cancelling or returning.
    reason: &'static str,
    /// Progress entries `(percent, narrative)` by the owner; stock ones when empty.
    log: &'static [(i64, &'static str)],
}

const D: Demo = Demo {
    unit: "",
    owner: "",
    area: "employees",
    tags: "",
    batch: 1,
    due: 20,
    goal: Proposed,
    parent: "",
    title: "",
    text: "",
    measures: "",
    standard: "",
    reason: "",
    log: &[],
};

#[rustfmt::skip]
const MATTERS: &[Demo] = &[
    // ---- the group ----
    Demo { unit: "group", owner: "handler12", tags: "急难愁盼,民生", due: 45, goal: InProgress,
        title: "职工健康体检提质扩面",
        text: "职工反映年度体检项目多年未调整，缺少针对性筛查；井下和高温岗位职工希望增加职业健康检查项目。",
        measures: "分单位制定体检套餐，增加肿瘤标志物、低剂量螺旋CT等项目；接触职业病危害岗位全部纳入职业健康检查；体检结果由职工医院一对一解读。",
        standard: "在岗职工体检率100%，职业健康检查应检尽检，异常结果跟踪随访率100%。",
        log: &[(10, "制定集团体检提质扩面总体方案，分解到三家子公司落实。")], ..D },
    Demo { unit: "s1", owner: "handler15", due: -5, goal: Completed, parent: "职工健康体检提质扩面",
        title: "股份公司职工体检增加低剂量螺旋CT项目",
        text: "股份公司一线职工吸烟率较高，职工代表提出增加肺部筛查项目。",
        measures: "与市第一人民医院签约，40岁以上职工体检增加低剂量螺旋CT，按车间分批组织。",
        standard: "40岁以上职工筛查覆盖率100%，结果一人一档。",
        log: &[(60, "已完成3200人筛查，占应检人数的64%。"), (100, "全部4980人筛查完毕，异常结果已通知本人并安排复查。")], ..D },
    Demo { unit: "s2_mine", owner: "handler5", tags: "一线,安全", due: 15, goal: InProgress, parent: "职工健康体检提质扩面",
        title: "东山铁矿井下职工职业健康检查",
        text: "井下粉尘、噪声岗位职工反映职业健康检查间隔长、项目少。",
        measures: "对井下接害岗位职工全部开展职业健康检查，增加肺功能和电测听项目，检查结果建档并告知本人。",
        standard: "接害岗位职工职业健康检查率100%，疑似职业病及时复查和调岗。",
        log: &[(35, "已完成采矿、运输两个工区共420人检查，剩余掘进工区安排在下周。")], ..D },
    Demo { unit: "s3", owner: "handler9", due: 30, goal: Approved, parent: "职工健康体检提质扩面",
        title: "实业公司女职工“两癌”筛查",
        text: "实业公司女职工占比高，多数从事餐饮、物业和幼教工作，希望单位组织宫颈癌、乳腺癌筛查。",
        measures: "联系妇幼保健院上门筛查，分三批组织，筛查费用由公司和工会共同承担。",
        standard: "35岁以上女职工筛查率100%。", ..D },
    Demo { unit: "group", owner: "handler11", area: "grassroots", tags: "数字化", batch: 2, due: -20, goal: Accepted,
        title: "集团职工服务热线整合",
        text: "各单位意见箱、书记信箱和服务电话分散，职工有事不知道该找谁，反映的问题石沉大海。",
        measures: "整合各单位意见箱、书记信箱和服务电话，开通统一的职工服务热线和线上平台，实行“接诉即办”、限时答复。",
        standard: "热线7×24小时受理，诉求受理率100%，一般诉求5个工作日内答复。",
        log: &[(50, "线上平台完成开发，热线号码已对外公布。"), (100, "热线试运行一个月，受理诉求356件，按时答复率98.6%。")], ..D },
    Demo { unit: "g_union", owner: "handler11", tags: "民生", due: -25, goal: Closed,
        title: "困难职工帮扶档案动态更新",
        text: "部分困难职工家庭情况变化后帮扶档案未及时更新，帮扶资金发放不够精准。",
        measures: "对全集团在档困难职工逐户走访核实，建立“一户一档”动态管理台账，每季度更新一次。",
        standard: "在档困难职工走访核实率100%，帮扶资金按季度足额发放到位。", ..D },
    Demo { unit: "g_union", owner: "handler11", tags: "职工之家", batch: 2, due: -10, goal: Accepted,
        title: "职工书屋延长开放时间",
        text: "倒班职工反映职工书屋只在白天开放，下夜班后无法借阅。",
        measures: "职工书屋开放时间延长至21:00，增设自助借还设备，开通电子书屋。",
        standard: "每天开放不少于12小时，自助借还设备投入使用。", ..D },
    Demo { unit: "g_union", owner: "handler11", area: "military", tags: "为军惠军", due: 35, goal: InProgress,
        title: "退役军人职工服务站建设",
        text: "集团现有退役军人职工1200余人，反映政策咨询、优抚待遇办理渠道不畅。",
        measures: "在集团工会设立退役军人服务站，明确专人负责，编印政策服务手册，建立退役军人职工信息库。",
        standard: "服务站挂牌运行，政策咨询当日答复，信息库覆盖全部退役军人职工。",
        log: &[(40, "服务站场地已落实，完成退役军人职工信息采集860人。")], ..D },
    Demo { unit: "g_union", owner: "handler11", area: "rural", tags: "乡村振兴", due: 60, goal: Approved,
        title: "定点帮扶村农产品进食堂",
        text: "定点帮扶村小米、杂粮销路不畅，职工希望食堂采购帮扶村的优质农产品。",
        measures: "与帮扶村合作社签订年度采购协议，各食堂每月设立“帮扶产品日”，工会福利采购优先选用帮扶产品。",
        standard: "全年采购帮扶村农产品不少于200万元，采购协议签订并公示。", ..D },
    Demo { unit: "g_union", owner: "handler11", tags: "一线", batch: 2, due: 8, goal: Suspended,
        title: "职工疗休养名额向一线倾斜",
        text: "一线职工反映疗休养名额多被机关人员占用，倒班职工很少轮到。",
        measures: "疗休养名额70%以上安排一线职工，优先安排劳动模范和连续倒班十年以上职工。",
        standard: "本年度一线职工疗休养占比不低于70%。",
        reason: "疗休养基地冬季设施检修，本批次疗休养顺延至明年春季组织。", ..D },
    Demo { unit: "g_hr", owner: "handler12", tags: "青年", due: -15, goal: Closed,
        title: "新入职大学生人才公寓",
        text: "新入职大学生反映在厂区附近租房远、费用高，通勤不便。",
        measures: "改造闲置单身楼120间为人才公寓，配齐家具家电，入职三年内免收租金。",
        standard: "人才公寓交付使用，符合条件的新入职大学生100%有房可住。", ..D },
    Demo { unit: "g_hr", owner: "handler12", due: 90, goal: Proposed,
        title: "拓宽技能人才职业发展通道",
        text: "一线技术工人反映技能等级晋升通道窄，高技能人才待遇与管理岗位差距大。",
        measures: "建立首席技师、高级技师、技师三级技能岗位序列，技能津贴与技能等级挂钩。",
        standard: "技能岗位序列制度印发实施，首批首席技师评聘完成。", ..D },
    // ---- 示范钢铁股份有限公司 ----
    Demo { unit: "s1", owner: "handler15", tags: "数字化", area: "grassroots", due: 3, goal: InProgress,
        title: "差旅费无纸化报销",
        text: "职工报销差旅费要贴票、逐级签字，跑多个部门，一笔报销往往要两三周。",
        measures: "上线财务共享平台移动报销功能，电子发票自动查验，审批全程线上流转。",
        standard: "差旅费报销全部线上办理，平均报销周期不超过5个工作日。",
        log: &[(30, "完成财务共享平台与OA系统的对接开发。"), (55, "在股份公司机关试点，已处理报销单据310笔，正在向二级厂部推广。")], ..D },
    Demo { unit: "s1", owner: "handler15", area: "partners", tags: "营商环境", batch: 2, due: -30, goal: Closed,
        title: "中小供应商货款支付周期压缩",
        text: "中小供应商反映货款结算周期长达90天，资金周转困难。",
        measures: "优化付款审批流程，推行电子签章和线上对账，对中小企业货款实行“月结月付”。",
        standard: "中小企业货款平均支付周期压缩至30天以内，无逾期欠款。", ..D },
    Demo { unit: "s1", owner: "handler15", tags: "急难愁盼", due: 25, goal: InProgress,
        title: "厂前区职工停车位扩容",
        text: "厂前区停车位不足，早班职工到得晚就只能把车停在路边，经常被贴罚单。",
        measures: "利用北侧空地新建停车场，施划车位标线，增设充电桩和夜间照明。",
        standard: "新增车位不少于180个，厂前区路边无乱停车现象。",
        log: &[(45, "北侧空地平整硬化完成，新增车位180个，正在施划标线。")], ..D },
    Demo { unit: "s1_party", owner: "handler15", tags: "青年", due: 90, goal: Proposed,
        title: "青年职工联谊交友活动",
        text: "单身青年职工工作圈子窄、倒班时间不固定，希望工会、团委搭建交友平台。",
        measures: "联合驻地企事业单位团委每季度举办一次青年联谊活动，建立青年职工交友服务台账。",
        standard: "全年举办联谊活动不少于4场，参与青年职工不少于300人次。", ..D },
    Demo { unit: "s1_steel", owner: "handler1", tags: "急难愁盼,一线", due: 30, goal: InProgress,
        title: "一线职工休息室标准化改造",
        text: "炼钢一线岗位休息室面积小、设施陈旧，夏季高温无空调，职工下班后无处洗漱休息。",
        measures: "按照“六有”标准（有空调、有饮水、有微波炉、有更衣柜、有卫生间、有休息桌椅）对全厂14个一线休息室分批改造。",
        standard: "14个休息室全部达到“六有”标准，职工满意度不低于90%。",
        log: &[(20, "完成14个休息室现状摸底，制定分批改造计划，分解到车间。")], ..D },
    Demo { unit: "s1_maint", owner: "handler1", due: -8, goal: Accepted, parent: "一线职工休息室标准化改造",
        title: "检修车间职工休息室改造",
        text: "检修车间休息室紧挨着设备间，噪声大、没有空调。",
        measures: "休息室迁至办公楼一层，重新装修并配齐空调、饮水机、更衣柜和微波炉。",
        standard: "达到“六有”标准并投入使用。",
        log: &[(50, "拆除旧吊顶和隔断，完成水电改造。"), (100, "空调、饮水机、更衣柜安装到位，休息室投入使用。")], ..D },
    Demo { unit: "s1_bof", owner: "handler13", tags: "急难愁盼", due: 2, goal: InProgress, parent: "一线职工休息室标准化改造",
        title: "转炉车间炉前休息室加装空调和饮水机",
        text: "炉前工作业环境温度高，休息室只有一台电扇，饮水要到楼下打。",
        measures: "炉前3个休息室各加装2台工业空调和1台直饮水机，墙面加装隔热层。",
        standard: "休息室夏季室温不高于26℃，饮水设备正常供水。",
        log: &[(30, "空调设备已到货，因炉前检修窗口未到暂未安装。"), (50, "完成2台空调安装，剩余4台待停炉检修时安装。")], ..D },
    Demo { unit: "s1_steel", owner: "handler1", tags: "急难愁盼,一线", due: -12, goal: Closed,
        title: "第一炼钢厂浴室全天供应热水",
        text: "倒班职工反映浴室只在交接班时段供应热水，夜班下班后常常只有冷水。",
        measures: "利用转炉余热改造浴室热水系统，增设2台空气源热泵作为备用，实行24小时供水。",
        standard: "浴室24小时供应热水，出水温度不低于40℃，连续运行一个月无中断。",
        log: &[(40, "余热换热器安装完成，正在铺设管道。"), (100, "热水系统调试完成，连续试运行15天，水温稳定在45℃左右。")], ..D },
    Demo { unit: "s1_maint", owner: "handler1", tags: "安全,一线", batch: 2, due: -3, goal: InProgress,
        title: "检修车间高温作业防暑降温",
        text: "检修作业多在高温区域，职工反映防暑降温物资发放不及时，作业点缺少降温设施。",
        measures: "为高温作业点配置移动式冷风机20台，防暑降温饮品按日配送到班组，调整高温时段作业计划。",
        standard: "冷风机全部到位，高温时段不安排露天作业，无中暑事件发生。",
        log: &[(60, "已配置冷风机12台，防暑饮品实行每日配送到班组。")], ..D },
    Demo { unit: "s1_bof", owner: "handler13", tags: "一线", batch: 2, due: 40, goal: Approved,
        title: "转炉车间更衣柜“一人一柜”",
        text: "职工更衣柜锈蚀严重、数量不够，部分职工两人合用一个柜子。",
        measures: "更换不锈钢双门更衣柜260组，实行一人一柜。",
        standard: "更衣柜全部更换到位，一人一柜。", ..D },
    Demo { unit: "s1_steel", owner: "handler1", batch: 2, due: 20, goal: Cancelled,
        title: "炼钢厂职工自行车棚翻建",
        text: "厂门口自行车棚破旧漏雨，电动车没有地方充电。",
        measures: "拆除旧车棚，新建带充电桩的钢结构车棚。",
        standard: "新车棚投入使用。",
        reason: "与股份公司“厂前区职工停车位扩容”项目合并实施，本项不再单独立项。", ..D },
    Demo { unit: "s1_hot", owner: "handler4", tags: "急难愁盼,一线", due: -6, goal: InProgress,
        title: "热轧厂主控室及操作室空调改造",
        text: "热轧主控室和操作室空调老化，夏季室温超过32℃，影响设备运行和职工健康。",
        measures: "更换主控室及6个操作室空调机组，加装隔热窗膜。",
        standard: "夏季室温控制在26℃以下。",
        log: &[(40, "完成设备招标，空调机组已到货。"), (70, "主控室空调更换完成，4个操作室正在施工。")], ..D },
    Demo { unit: "s1_hot", owner: "handler4", tags: "急难愁盼", due: -18, goal: Closed,
        title: "热轧厂食堂增设夜班餐",
        text: "夜班职工反映夜间只能吃方便面，希望能吃上热乎饭菜。",
        measures: "食堂增设夜班供餐窗口，每晚23:30至次日1:00供应两荤两素和面食。",
        standard: "夜班供餐正常运行，每周菜谱不重样，职工满意度不低于90%。", ..D },
    Demo { unit: "s1_hot", owner: "handler4", area: "grassroots", tags: "安全", batch: 2, due: 4, goal: InProgress,
        title: "热轧厂区道路破损维修",
        text: "热轧厂成品库至2号门道路坑洼破损，雨天积水，重载车辆和职工通行存在安全隐患。",
        measures: "对1.2公里厂区道路铣刨重铺，完善排水边沟和路灯照明。",
        standard: "路面平整无积水，路灯完好率100%，通过安全部门验收。",
        log: &[(35, "完成600米路面铣刨，因连续降雨暂停摊铺。")], ..D },
    Demo { unit: "s1_hot", owner: "handler4", area: "partners", tags: "支持合作伙伴", due: -9, goal: Accepted,
        title: "协力单位职工同等享受就餐和休息条件",
        text: "外委协力单位职工反映不能使用厂内食堂和休息室，夏季也没有防暑降温物品。",
        measures: "向协力单位职工开放食堂和休息室，办理通行就餐卡，同等发放防暑降温物品。",
        standard: "协力单位职工就餐、休息条件与正式职工相同。", ..D },
    Demo { unit: "s1_trans", owner: "handler2", tags: "一线", due: -14, goal: Accepted,
        title: "编组站调车人员候车室建设",
        text: "铁路调车人员只能在露天等候作业，冬冷夏热，雨雪天没处躲。",
        measures: "在3个编组站新建彩钢板候车室，配备空调和饮水设备。",
        standard: "3个候车室投入使用。", ..D },
    Demo { unit: "s1_trans", owner: "handler2", batch: 2, due: -2, goal: Completed,
        title: "机车乘务员公寓床品和空调更新",
        text: "机车乘务员待班公寓床品陈旧，空调噪声大，乘务员休息不好影响行车安全。",
        measures: "更换全部床垫床品，更换静音空调24台，实行床品一客一换。",
        standard: "床品和空调全部更新，乘务员满意度不低于90%。", ..D },
    Demo { unit: "s1_trans", owner: "handler2", area: "grassroots", tags: "安全", batch: 2, due: 50, goal: Suspended,
        title: "厂区铁路道口安全改造",
        text: "东门铁路道口没有自动栏杆，上下班高峰人车混行，存在安全隐患。",
        measures: "加装道口自动栏杆和声光报警装置，设置人行专用通道。",
        standard: "道口安全设施通过验收，上下班高峰人车分流。",
        reason: "涉及市政道路改造规划调整，待市住建部门批复后实施。",
        log: &[(20, "完成道口现场勘查和设计方案。")], ..D },
    Demo { unit: "s1_energy", owner: "handler3", tags: "一线", due: 70, goal: InProgress,
        title: "泵站值班室改造",
        text: "5个泵站值班室年久失修，墙皮脱落，没有卫生间。",
        measures: "对5个泵站值班室进行翻修，增设卫生间和淋浴设施。",
        standard: "5个值班室全部完成改造并投入使用。",
        log: &[(25, "完成5个泵站值班室现状摸底，确定改造方案。")], ..D },
    Demo { unit: "s1_energy", owner: "handler3", area: "grassroots", tags: "民生,急难愁盼", due: -35, goal: Closed,
        title: "余热供暖进职工家属区",
        text: "家属区冬季供暖温度不达标，老人孩子在家受冻。",
        measures: "利用钢厂余热改造家属区供暖管网，更换老旧管道3.5公里。",
        standard: "供暖期室温不低于18℃。", ..D },
    Demo { unit: "s1_energy", owner: "handler3", area: "grassroots", batch: 2, due: -6, goal: Completed,
        title: "家属区供暖报修“接诉即办”",
        text: "供暖季报修电话经常打不通，维修人员上门慢。",
        measures: "开通24小时供暖报修热线，组建3支抢修队，实行“半小时响应、两小时到场”。",
        standard: "报修响应率100%，一般故障24小时内修复。", ..D },
    // ---- 示范矿业有限公司 ----
    Demo { unit: "s2_mine", owner: "handler5", tags: "职工之家", due: 55, goal: InProgress,
        title: "东山铁矿“职工之家”建设",
        text: "矿区远离市区，职工业余生活单调，缺少活动场所。",
        measures: "改造矿区闲置办公楼为职工之家，设置健身房、阅览室、心理疏导室和母婴室，配套班组活动室。",
        standard: "职工之家建成开放，各功能室设施齐全，每周开放不少于60小时。",
        log: &[(15, "闲置办公楼改造设计方案通过审查，施工招标完成。")], ..D },
    Demo { unit: "s2_pit", owner: "handler14", due: 10, goal: InProgress, parent: "东山铁矿“职工之家”建设",
        title: "采矿车间班组活动室配置健身器材",
        text: "采矿车间班组活动室只有桌椅，职工希望配置健身器材。",
        measures: "为4个班组活动室配置跑步机、动感单车、乒乓球台等器材。",
        standard: "器材安装到位并投入使用。",
        log: &[(60, "跑步机、动感单车等12件器材已采购到货，正在安装。")], ..D },
    Demo { unit: "s2_mine", owner: "handler5", due: 30, goal: Approved, parent: "东山铁矿“职工之家”建设",
        title: "矿区职工心理疏导室建设",
        text: "井下职工工作压力大，家属反映部分职工情绪焦虑。",
        measures: "建设心理疏导室，聘请专业心理咨询师每周驻矿两天。",
        standard: "心理疏导室开放，每周提供咨询不少于2天。", ..D },
    Demo { unit: "s2_mine", owner: "handler5", tags: "急难愁盼", due: -22, goal: Closed,
        title: "东山矿区通勤班车增开夜班班次",
        text: "矿区距市区42公里，夜班职工下班后没有班车，只能自行驾车或拼车，安全隐患大。",
        measures: "增开0:30和8:30两个班次，线路延伸至新城区，班车安装GPS定位，职工可用手机查询。",
        standard: "夜班职工通勤班车覆盖率100%，班车准点率95%以上。", ..D },
    Demo { unit: "s2_mine", owner: "handler5", tags: "一线,急难愁盼", due: -1, goal: InProgress,
        title: "井下作业人员班中餐热食配送",
        text: "井下职工班中餐只能自带，到吃饭时饭菜早已冰凉。",
        measures: "建立井口配餐点，用保温餐车将热饭菜送至井下候车硐室。",
        standard: "井下职工班中餐热食供应率100%，食品安全零事故。",
        log: &[(50, "井口配餐点已建成，保温餐车3台到位。"), (75, "-300米水平试运行配送，每天供餐380份，-420米水平尚未覆盖。")], ..D },
    Demo { unit: "s2_mine", owner: "handler5", area: "rural", tags: "乡村振兴", due: -30, goal: Accepted,
        title: "修复矿区周边王家庄村道路",
        text: "矿石运输车辆长期通行，王家庄村道路损毁严重，村民出行不便。",
        measures: "出资修复王家庄村道路4.6公里，运输车辆限速行驶并洒水降尘。",
        standard: "道路修复通过乡镇验收，运输车辆限速管理到位。", ..D },
    Demo { unit: "s2_pit", owner: "handler14", tags: "一线", batch: 2, due: -9, goal: Completed,
        title: "井口澡堂更衣柜和工作服烘干设备更换",
        text: "井口澡堂更衣柜破损，湿工作服第二天还是潮的。",
        measures: "更换更衣柜280组，增设工作服烘干柜8台。",
        standard: "更衣柜和烘干设备全部投入使用。",
        log: &[(100, "更衣柜280组和工作服烘干柜8台安装到位，已投入使用。")], ..D },
    Demo { unit: "s2_pit", owner: "handler14", tags: "安全", due: 3, goal: InProgress,
        title: "井下候车硐室加装座椅和照明",
        text: "井下候车硐室没有座椅，照明不足，职工交接班时只能站着等罐笼。",
        measures: "在6个候车硐室安装防爆照明灯具和不锈钢座椅。",
        standard: "6个候车硐室座椅和照明全部到位，照度符合规程要求。",
        log: &[(20, "完成材料采购，正在办理井下作业审批。")], ..D },
    Demo { unit: "s2_ore", owner: "handler6", tags: "安全", due: 80, goal: InProgress,
        title: "选矿厂破碎车间降噪除尘",
        text: "破碎车间粉尘和噪声大，职工反映戴着耳塞也受不了。",
        measures: "改造除尘系统，破碎机加装隔音罩，操作室改为封闭式隔音操作室。",
        standard: "作业场所粉尘浓度和噪声符合国家职业卫生标准。",
        log: &[(30, "除尘器改造设计完成，设备正在招标。")], ..D },
    Demo { unit: "s2_ore", owner: "handler6", tags: "民生", batch: 2, due: -16, goal: Accepted,
        title: "选矿厂职工食堂菜品改善",
        text: "职工反映食堂菜品单一、口味偏咸，价格偏高。",
        measures: "成立职工膳食委员会，每月征求菜品意见，增加自选菜品和少油少盐窗口，推出10元营养套餐。",
        standard: "每日菜品不少于20种，职工满意度测评不低于90%。", ..D },
    Demo { unit: "s2_ore", owner: "handler6", area: "rural", tags: "乡村振兴,民生", due: 25, goal: Suspended,
        title: "尾矿库周边村民饮水安全保障",
        text: "尾矿库下游李家沟村村民担心饮用水安全，希望企业帮助解决自来水问题。",
        measures: "为李家沟村铺设自来水管线2.8公里，定期开展水质检测并公开结果。",
        standard: "李家沟村通自来水，水质检测结果符合生活饮用水卫生标准。",
        reason: "当地政府正统一实施农村供水工程，待并网方案确定后再行推进。",
        log: &[(25, "完成水质检测和供水管线踏勘。")], ..D },
    Demo { unit: "s2_ore", owner: "handler6", tags: "急难愁盼", batch: 2, due: 12, goal: Returned,
        title: "选矿厂浴室热水供应不稳定",
        text: "浴室热水时冷时热，二楼淋浴间高峰时段基本没有热水。",
        measures: "更换浴室锅炉燃烧器和循环泵，热水管道加装保温层。",
        standard: "各楼层出水温度不低于40℃，高峰时段供水稳定。",
        reason: "验收抽查发现二楼淋浴间出水温度仍低于38℃，退回整改。",
        log: &[(60, "锅炉燃烧器更换完成。"), (100, "热水管道保温层施工完成，申请验收。"), (90, "已更换二楼循环泵，正在连续测温。")], ..D },
    Demo { unit: "s2_ore", owner: "handler6", batch: 3, due: 45, goal: Proposed,
        title: "选矿厂职工技能等级认定",
        text: "选矿工、浮选工等工种多年未开展技能等级认定，职工晋级无门。",
        measures: "申请企业技能等级认定资质，组织选矿工、浮选工等6个工种认定。",
        standard: "首批认定不少于200人。", ..D },
    Demo { unit: "s2_ore", owner: "handler6", batch: 3, due: 10, goal: Cancelled,
        title: "选矿厂增设职工理发室",
        text: "职工反映厂区附近没有理发店，理发要专门进城。",
        measures: "在职工活动中心增设理发室，每周安排理发师服务两天。",
        standard: "理发室开放运行。",
        reason: "该诉求已由物业管理中心流动理发服务解决，不再单独立项。", ..D },
    Demo { unit: "s2", owner: "handler5", tags: "一线", batch: 2, due: -20, goal: Closed,
        title: "劳保用品按需申领",
        text: "劳保用品一年发一次、尺码固定，手套、口罩等易耗品不够用。",
        measures: "劳保用品改为按需线上申领，易耗品按月配送到班组，工作服可选尺码。",
        standard: "劳保用品线上申领全覆盖，易耗品按月配送到位。", ..D },
    Demo { unit: "s2", owner: "handler6", area: "military", tags: "为军惠军", batch: 2, due: -10, goal: Completed,
        title: "退役军人职工技能提升培训",
        text: "部分退役军人职工转岗后技能不适应，希望参加岗位技能培训。",
        measures: "为退役军人职工量身制定培训计划，开展设备操作和安全技能培训，考核合格颁发证书。",
        standard: "参训退役军人职工考核合格率不低于95%。", ..D },
    // ---- 示范实业发展有限公司 ----
    Demo { unit: "s3_food", owner: "handler7", tags: "民生,急难愁盼", due: -11, goal: Closed,
        title: "集团总部职工食堂菜品提质",
        text: "机关职工反映食堂菜品单调，多年都是“老三样”，早餐品种少。",
        measures: "推行明厨亮灶，增设面食档口和风味窗口，早餐品种增至25种以上，每周公示菜谱和食材来源。",
        standard: "每日菜品不少于30种，每周职工满意度测评不低于90%。",
        log: &[(50, "面食档口和风味窗口开业，早餐品种增至26种。"), (100, "明厨亮灶改造完成，连续四周满意度测评在92%以上。")], ..D },
    Demo { unit: "s3_food", owner: "handler7", area: "grassroots", tags: "数字化", batch: 2, due: 18, goal: InProgress,
        title: "职工食堂线上订餐",
        text: "中午排队时间长，加班职工经常吃不上饭。",
        measures: "上线订餐小程序，职工提前订餐、到点取餐，加班职工可预留餐食。",
        standard: "订餐小程序覆盖全部食堂，高峰排队时间不超过10分钟。",
        log: &[(50, "订餐小程序上线试运行，日均订餐560份。")], ..D },
    Demo { unit: "s3_food", owner: "handler7", tags: "一线", due: -2, goal: Approved,
        title: "一线岗位送餐到岗",
        text: "炼钢、轧钢一线岗位职工不能离岗，到食堂就餐来回要半小时。",
        measures: "为一线岗位开通送餐到岗服务，配置保温餐箱，按班次定时配送。",
        standard: "一线岗位送餐到岗覆盖率100%，送达时饭菜温度不低于60℃。", ..D },
    Demo { unit: "s3_food", owner: "handler7", area: "partners", tags: "支持合作伙伴", batch: 2, due: 22, goal: InProgress,
        title: "为驻厂合作单位提供团餐服务",
        text: "驻厂施工、检修合作单位人员就餐不便，经常在路边摊吃饭。",
        measures: "为驻厂合作单位开通团餐服务，办理就餐卡，价格与职工相同。",
        standard: "驻厂合作单位团餐服务全覆盖。",
        log: &[(55, "已与6家驻厂合作单位签订团餐协议。")], ..D },
    Demo { unit: "s3_kids", owner: "handler8", tags: "急难愁盼,民生", due: 60, goal: InProgress,
        title: "职工子女入园难",
        text: "新城区职工家庭集中，附近公办幼儿园学位紧张，职工子女入园排队难。",
        measures: "利用原职工培训中心改建幼教中心新城分园，新增学位270个，开设托班和延时班。",
        standard: "分园通过教育部门验收开园，符合条件的职工子女入园需求满足率100%。",
        log: &[(30, "新城分园改造方案已审定，施工单位进场。"), (45, "分园主体改造完成，同步开展教师招聘。")], ..D },
    Demo { unit: "s3_kids", owner: "handler8", tags: "民生", due: -24, goal: Closed,
        title: "幼儿园延时托管服务",
        text: "双职工家庭反映幼儿园下午4点半放学，接孩子困难。",
        measures: "开设延时托管班至18:30，寒暑假开设职工子女托管班。",
        standard: "延时托管正常运行，家长满意度不低于95%。", ..D },
    Demo { unit: "s3_prop", owner: "handler9", tags: "青年,数字化", due: -5, goal: Accepted,
        title: "单身职工宿舍无线网络全覆盖",
        text: "单身宿舍只有公共区域有网络，房间信号差，青年职工上网课、视频通话不便。",
        measures: "为6栋单身宿舍楼铺设千兆光纤，每层部署无线AP，费用由公司承担。",
        standard: "宿舍房间无线信号全覆盖，下载速率不低于100Mbps。",
        log: &[(40, "完成4栋楼光纤铺设。"), (100, "6栋宿舍楼无线网络全部开通，实测房间下载速率200Mbps以上。")], ..D },
    Demo { unit: "s3_prop", owner: "handler9", area: "grassroots", tags: "民生,急难愁盼", due: 120, goal: InProgress,
        title: "家属区老旧住宅加装电梯",
        text: "家属区多为上世纪90年代的六层住宅，老年职工和退休职工上下楼困难。",
        measures: "按照“一楼一策”征求住户意见，公司补贴加装电梯费用的50%，代办审批手续。",
        standard: "达成一致意见的楼栋全部完成加装并投入使用。",
        log: &[(15, "完成12栋楼加装电梯意愿征询，9栋楼达成一致。")], ..D },
    Demo { unit: "s3_prop", owner: "handler9", area: "grassroots", tags: "安全", batch: 2, due: -5, goal: Approved,
        title: "宿舍区电动自行车集中充电设施",
        text: "职工在楼道内为电动自行车充电，存在火灾隐患。",
        measures: "在宿舍区建设集中充电棚4处、充电端口300个，实行扫码计费。",
        standard: "充电设施投入使用，楼道内无电动车违规充电。", ..D },
    Demo { unit: "s3_prop", owner: "handler9", area: "grassroots", due: -40, goal: Cancelled,
        title: "家属区供水管网改造",
        text: "家属区供水管道老化，经常爆管停水。",
        measures: "更换家属区主供水管道2.1公里。",
        standard: "改造后一年内无爆管停水。",
        reason: "经核实该区域已纳入市政老旧管网改造计划，由市水务集团统一实施，撤销本项目。", ..D },
    Demo { unit: "s3_bus", owner: "handler10", tags: "急难愁盼", due: -13, goal: Closed,
        title: "通勤班车线路优化和增开班次",
        text: "新城区职工增多，现有通勤班车线路不经过新城区，早高峰车辆超员。",
        measures: "新开新城区至厂区线路2条，早高峰加密至10分钟一班，班车实时定位可查询。",
        standard: "新城区通勤班车覆盖率100%，高峰时段无超员。", ..D },
    Demo { unit: "s3_bus", owner: "handler10", area: "grassroots", tags: "绿色", batch: 2, due: 100, goal: Proposed,
        title: "通勤班车更新为新能源车辆",
        text: "部分通勤班车车龄超过10年，尾气大、噪声大，冬季暖风不足。",
        measures: "分两年将30台老旧柴油班车更新为新能源客车，配套建设充电场站。",
        standard: "老旧柴油班车全部淘汰更新。", ..D },
    Demo { unit: "s3_bus", owner: "handler10", tags: "民生", batch: 2, due: 4, goal: InProgress,
        title: "班车站点增设候车亭",
        text: "班车站点只有站牌，职工雨雪天候车没有遮挡。",
        measures: "在8个主要站点建设候车亭，配置座椅和照明。",
        standard: "8个候车亭全部建成。",
        log: &[(40, "8个候车亭中已完成3个基础施工。")], ..D },
];

/// Stock narratives for matters without their own.
const STARTED: &[&str] = &[
    "已完成现场调研，细化实施方案并明确时间节点。",
    "召开专题推进会，落实责任分工和资金预算。",
    "完成方案审批和物资采购，进入实施阶段。",
    "与职工代表座谈，听取意见后完善了实施方案。",
];
const FINISHED: &[&str] = &[
    "全部工作完成，已组织职工代表现场查看，提交验收材料。",
    "项目完工并试运行正常，相关资料已整理归档，申请验收。",
    "按验收标准逐项自查合格，申请督导组验收。",
];

fn pick(map: &HashMap<&str, i64>, key: &str) -> ServiceResult<i64> {
    map.get(key)
        .copied()
        .ok_or_else(|| ServiceError::Internal(format!("demo data: unknown key {key}")))
}

/// `n` working days from `today` (before it when negative).
fn shift_working_days(services: &Services, today: NaiveDate, n: i64) -> NaiveDate {
    let cal = services.calendar();
    if n >= 0 {
        return cal.add_working_days(today, n as u32);
    }
    let mut date = today;
    let mut left = -n;
    while left > 0 {
        date -= Duration::days(1);
        if cal.is_working_day(date) {
            left -= 1;
        }
    }
    date
}

impl Services {
    pub async fn load_demo(&self) -> ServiceResult<DemoReport> {
        let outcome = self.init(DEMO_ORG, "admin", DEMO_PASSWORD).await?;
        if !outcome.created {
            return Ok(DemoReport {
                loaded: false,
                logins: vec![],
            });
        }
        let admin_id = {
            let mut conn = self.store.read().await?;
            users::by_username(&mut conn, &outcome.admin_username)
                .await?
                .ok_or_else(|| ServiceError::Internal("demo: admin missing".into()))?
                .id
        };
        let admin = self.actor(admin_id).await?;

        let mut units: HashMap<&str, i64> = HashMap::from([("group", outcome.root_unit_id)]);
        let root_path = {
            let mut conn = self.store.read().await?;
            shishi_store::units::get(&mut conn, outcome.root_unit_id)
                .await?
                .path
        };
        let mut paths: HashMap<&str, String> = HashMap::from([("group", root_path)]);
        let mut names: HashMap<&str, &str> = HashMap::from([("group", DEMO_ORG)]);
        for (i, (key, parent, name, kind)) in UNITS.iter().enumerate() {
            let input = UnitInput {
                name: name.to_string(),
                kind: kind.to_string(),
                sort_order: i as i64 + 1,
            };
            let unit = self
                .create_unit(&admin, Some(pick(&units, parent)?), &input)
                .await?;
            units.insert(key, unit.id);
            paths.insert(key, unit.path);
            names.insert(key, name);
        }

        let mut ids = self.insert_demo_people(admin_id, &units).await?;
        ids.insert("admin", admin_id);
        let mut actors: HashMap<&str, Actor> = HashMap::new();
        for (name, id) in &ids {
            actors.insert(*name, self.actor(*id).await?);
        }
        let who = |name: &str| {
            actors
                .get(name)
                .ok_or_else(|| ServiceError::Internal(format!("demo data: unknown person {name}")))
        };

        let today = self.clock.today();
        let year = today.format("%Y").to_string();
        let mut campaigns = Vec::new();
        for (name, description, starts, ends, stage, scope, by) in CAMPAIGNS {
            let input = CampaignInput {
                name: name.replace("{year}", &year),
                description: description.to_string(),
                starts_on: (today + Duration::days(*starts)).to_string(),
                ends_on: (today + Duration::days(*ends)).to_string(),
                stage: stage.to_string(),
                scope_unit_id: pick(&units, scope)?,
            };
            campaigns.push(self.create_campaign(who(by)?, &input).await?.id);
        }

        let areas: HashMap<String, i64> = self
            .content_areas()
            .await?
            .into_iter()
            .filter(|a| a.active == 1)
            .map(|a| (a.code, a.id))
            .collect();
        let supervisor = who("supervisor")?;
        // Title → (matter id, the admin who created it), for decomposition.
        let mut made: HashMap<&str, (i64, &str)> = HashMap::new();
        // Title → (matter id, unit key), for the demands adopted into the matters.
        let mut matters: HashMap<&str, (i64, &str)> = HashMap::new();
        for (i, d) in MATTERS.iter().enumerate() {
            let (parent_id, creator) = match d.parent {
                "" => {
                    let admin = match d.unit.split('_').next() {
                        Some("s1") => "sub1admin",
                        Some("s2") => "sub2admin",
                        Some("s3") => "sub3admin",
                        _ => "unitadmin",
                    };
                    (None, admin)
                }
                title => {
                    let (id, creator) = made.get(title).copied().ok_or_else(|| {
                        ServiceError::Internal(format!("demo data: no parent {title}"))
                    })?;
                    (Some(id), creator)
                }
            };
            let manager = who(creator)?;
            let owner = who(d.owner)?;
            let input = MatterInput {
                title: d.title.into(),
                description: d.text.into(),
                campaign_id: d
                    .batch
                    .checked_sub(1)
                    .and_then(|b| campaigns.get(b))
                    .copied(),
                unit_id: pick(&units, d.unit)?,
                owner_id: Some(owner.id()),
                measures: d.measures.into(),
                deadline: Some(shift_working_days(self, today, d.due).to_string()),
                deadline_working_days: None,
                acceptance_standard: d.standard.into(),
                supervisor_id: Some(supervisor.id()),
                content_area_id: areas.get(d.area).copied(),
                tags: d.tags.into(),
            };
            let id = self.create_matter(manager, parent_id, &input).await?.id;
            made.insert(d.title, (id, creator));
            matters.insert(d.title, (id, d.unit));
            self.drive_demo_matter(i, id, d, manager, owner, supervisor)
                .await?;
        }

        let org = demo_demands::Org {
            units: &units,
            paths: &paths,
            names: &names,
            actors: &actors,
            matters: &matters,
        };
        self.load_demo_demands(&org).await?;
        self.load_demo_driving(&org).await?;
        self.backdate_demo().await?;

        let mut logins = vec![("admin".to_string(), "系统管理员 · 全集团".to_string())];
        logins.extend(
            PEOPLE
                .iter()
                .map(|(user, name, _, _, what)| (user.to_string(), format!("{what} · {name}"))),
        );
        Ok(DemoReport {
            loaded: true,
            logins,
        })
    }

    /// The demo people in one transaction, with one password hash for all of them.
    async fn insert_demo_people(
        &self,
        admin_id: i64,
        units: &HashMap<&str, i64>,
    ) -> ServiceResult<HashMap<&'static str, i64>> {
        let hash = hash_password(DEMO_PASSWORD).await?;
        let mut ids = HashMap::new();
        let mut tx = self.store.write().await?;
        // The members (职工) hold one grant each, on their home unit.
        let members = demo_demands::MEMBERS
            .iter()
            .map(|(username, name, home)| (username, name, home, vec![(Role::Member, *home)]));
        let people = PEOPLE
            .iter()
            .map(|(username, name, home, grants, _)| (username, name, home, grants.to_vec()))
            .chain(members);
        for (username, name, home, grants) in people {
            let unit_id = pick(units, home)?;
            let id = users::insert(
                &mut tx,
                &users::NewUser {
                    username,
                    display_name: name,
                    password_hash: &hash,
                    unit_id,
                    email: "",
                    phone: "",
                },
            )
            .await?;
            audit::append(
                &mut tx,
                Some(admin_id),
                "user_created",
                "user",
                Some(id),
                &serde_json::json!({ "username": username, "unit_id": unit_id }),
            )
            .await?;
            for (role, unit) in grants.iter() {
                let unit_id = pick(units, unit)?;
                let grant_id = users::add_grant(&mut tx, id, role.code(), unit_id).await?;
                audit::append(
                    &mut tx,
                    Some(admin_id),
                    "grant_added",
                    "user",
                    Some(id),
                    &serde_json::json!({ "grant_id": grant_id, "role": role.code(), "unit_id": unit_id }),
                )
                .await?;
            }
            ids.insert(*username, id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Takes a freshly proposed matter to its goal, each step by the person whose step it is.
    async fn drive_demo_matter(
        &self,
        i: usize,
        id: i64,
        d: &Demo,
        manager: &Actor,
        owner: &Actor,
        supervisor: &Actor,
    ) -> ServiceResult<()> {
        if d.goal == Proposed {
            return Ok(());
        }
        if d.goal == Cancelled && d.log.is_empty() {
            self.transition(manager, id, MatterAction::Cancel, d.reason)
                .await?;
            return Ok(());
        }
        self.transition(manager, id, MatterAction::Approve, "")
            .await?;
        if d.goal == Approved || (d.goal == Suspended && d.log.is_empty()) {
            if d.goal == Suspended {
                self.transition(manager, id, MatterAction::Suspend, d.reason)
                    .await?;
            }
            return Ok(());
        }
        self.transition(owner, id, MatterAction::Start, "").await?;
        let stock_start = [(30 + 10 * (i as i64 % 4), STARTED[i % STARTED.len()])];
        let mut log: Vec<(i64, &str)> = if d.log.is_empty() {
            stock_start.to_vec()
        } else {
            d.log.to_vec()
        };
        let after_return = if d.goal == Returned { log.pop() } else { None };
        let finishing = matches!(d.goal, Returned | Completed | Accepted | Closed);
        if finishing && log.last().is_none_or(|(p, _)| *p < 100) {
            log.push((100, FINISHED[i % FINISHED.len()]));
        }
        for (percent, narrative) in log {
            // The 100 % entry carries its evidence: a completion needs a file on the matter.
            let evidence = match percent {
                100 => vec![crate::files::Upload {
                    filename: "验收材料.pdf".into(),
                    data: b"%PDF-1.4\n%shishi demo evidence\n%%EOF\n".to_vec(),
                }],
                _ => vec![],
            };
            self.post_progress(owner, id, percent, narrative, evidence)
                .await?;
        }
        match d.goal {
            Suspended => {
                self.transition(manager, id, MatterAction::Suspend, d.reason)
                    .await?;
            }
            Cancelled => {
                self.transition(manager, id, MatterAction::Cancel, d.reason)
                    .await?;
            }
            _ if finishing => {
                self.transition(owner, id, MatterAction::Complete, "")
                    .await?;
                if d.goal == Returned {
                    self.transition(supervisor, id, MatterAction::Return, d.reason)
                        .await?;
                    if let Some((percent, narrative)) = after_return {
                        self.post_progress(owner, id, percent, narrative, vec![])
                            .await?;
                    }
                }
                if matches!(d.goal, Accepted | Closed) {
                    self.transition(supervisor, id, MatterAction::Accept, "")
                        .await?;
                }
                if d.goal == Closed {
                    self.transition(manager, id, MatterAction::Close, "")
                        .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
