//! The demo's demands (诉求): about three hundred of them, from every channel, in every state,
//! so that a demo inbox has work waiting and the ledger shows where its matters came from.
//!
//! Each topic below is one thing employees raise, with the units where it is raised, a few
//! wordings, and one letter per demand saying where that demand ends up (its "fate"). The
//! demands are submitted through `submit_demand` (by ordinary members, signed in or through
//! the public form, or entered by an intake clerk from the hotline, a letter, a suggestion box
//! or a questionnaire); each symposium and leader's visit is recorded once with
//! `record_offline`. Then `cosign` and `demand_step` take them on, so events, audit and
//! notifications are the real ones.

use std::collections::{BTreeMap, HashMap};

use shishi_core::demand::Channel;
use shishi_core::unit::in_subtree;

use super::{pick, shift_working_days};
use crate::demands::{DemandInput, StepInput};
use crate::{Actor, ServiceError, ServiceResult, Services};

/// Ordinary employees (职工) who raise and co-sign demands: `(username, name, home unit)`.
/// They share the demo password but are not printed with the logins.
#[rustfmt::skip]
pub(super) const MEMBERS: &[(&str, &str, &str)] = &[
    ("zg01", "张建军", "s1_bof"), ("zg02", "李春生", "s1_maint"), ("zg03", "王志强", "s1_steel"),
    ("zg04", "赵红霞", "s1_hot"), ("zg05", "孙国庆", "s1_hot"), ("zg06", "周晓东", "s1_trans"),
    ("zg07", "吴海燕", "s1_energy"), ("zg08", "郑伟", "s1_party"), ("zg09", "冯立新", "s2_pit"),
    ("zg10", "陈永刚", "s2_pit"), ("zg11", "褚卫东", "s2_mine"), ("zg12", "卫小娟", "s2_ore"),
    ("zg13", "蒋大勇", "s2_ore"), ("zg14", "沈佳怡", "s3_food"), ("zg15", "韩桂兰", "s3_kids"),
    ("zg16", "杨晨", "s3_prop"), ("zg17", "朱国栋", "s3_bus"), ("zg18", "秦雅琴", "g_hr"),
    ("zg19", "许文博", "s1_steel"), ("zg20", "何志明", "s1_bof"), ("zg21", "吕晓梅", "s3_food"),
    ("zg22", "施振宇", "s2_mine"), ("zg23", "张丽萍", "g_union"), ("zg24", "孔德胜", "s1_trans"),
];

/// Where one demand of a topic ends up.
///
/// - `S` submitted, waiting in the inbox; `C` accepted (受理), not yet answered;
/// - `R` answered; `A` adopted into the topic's matter; `M` merged into the first demand of
///   the topic raised at the same unit; `D` declined for the topic's reason;
/// - `T` transferred to the topic's `to` unit and waiting there; `U` … and accepted there;
///   `V` … and answered there; `W` … and adopted there into the topic's matter; `B` … and sent
///   back, waiting again at home.
struct Topic {
    /// Unit keys where the demand is raised, in turn.
    units: &'static [&'static str],
    /// Demand category code.
    cat: &'static str,
    /// Title of the demo matter the demands are adopted into.
    matter: &'static str,
    /// Unit key the demands are transferred to.
    to: &'static str,
    /// `(title, body)` wordings, in turn; `{unit}` becomes the unit's name.
    says: &'static [(&'static str, &'static str)],
    /// The answer, for `R` and `V`.
    answer: &'static str,
    /// Decline reason code and explanation, for `D`.
    decline: (&'static str, &'static str),
    fates: &'static str,
}

const T: Topic = Topic {
    units: &[],
    cat: "other",
    matter: "",
    to: "",
    says: &[],
    answer: "",
    decline: ("", ""),
    fates: "",
};

#[rustfmt::skip]
const TOPICS: &[Topic] = &[
    // ---- bathhouses and changing rooms ----
    Topic { units: &["s1_steel", "s1_bof", "s1_maint"], cat: "logistics",
        says: &[
            ("夜班下班后浴室没有热水", "我们上夜班的早上七点多下班去洗澡，浴室经常只有凉水，冬天根本没法洗，只能带着一身灰回家。希望浴室能全天供应热水。"),
            ("浴室热水时冷时热", "下了班一身汗一身灰，浴室热水时冷时热，人一多后面的人只能用冷水冲。"),
            ("希望延长浴室热水供应时间", "浴室只在交接班时段有热水，检修完设备已经过了时间，只能回家洗，希望延长热水供应时间。"),
        ],
        answer: "第一炼钢厂浴室已完成余热热水改造，并增设空气源热泵备用，现已实行24小时供水，出水温度稳定在45℃左右。如再遇到水温不足，请拨打厂区物业报修电话，维修人员30分钟内到场处理。",
        fates: "RRSMRCR", ..T },
    Topic { units: &["s2_ore"], cat: "logistics", matter: "选矿厂浴室热水供应不稳定",
        says: &[
            ("二楼淋浴间高峰时段没有热水", "选矿厂浴室二楼淋浴间一到下班高峰就没有热水，水温顶多三十度出头，冬天洗完容易感冒。"),
            ("选矿厂浴室水温还是上不去", "浴室锅炉换过了，可二楼淋浴间水温还是上不去，希望彻底解决，不要只换一半。"),
            ("浴室热水问题反映多次仍未解决", "选矿厂浴室热水问题反映过好几次了，一楼还行，二楼基本是温水，请抓紧整改。"),
        ],
        fates: "AMMSCMA", ..T },
    Topic { units: &["s2_pit", "s2_mine"], cat: "logistics",
        says: &[
            ("井口澡堂工作服烘不干", "井下出来工作服全湿了，烘干柜排队的人多，第二天穿上还是潮的。"),
            ("更衣柜门锁坏了没人修", "井口澡堂新换的更衣柜有好几个门锁坏了，报上去一个多星期也没人来修。"),
        ],
        answer: "井口澡堂新更换的280组更衣柜和8台工作服烘干柜已投入使用；损坏的柜门锁已安排物业人员每周二、五集中维修，急需可拨打井口值班室电话报修。",
        fates: "RRSC", ..T },
    // ---- canteens ----
    Topic { units: &["s3_food"], cat: "canteen",
        says: &[
            ("食堂菜价涨得太快", "最近集团总部食堂荤菜普遍涨了两三块钱，一顿饭下来要二十多元，一线职工负担重，希望控制价格。"),
            ("荤菜分量少价格高", "红烧肉一份十六元只有几块，分量越来越少，希望公示成本、合理定价。"),
            ("早餐品种还是太少", "早餐除了包子馒头就是稀饭，希望增加面条、豆浆油条等品种。"),
        ],
        answer: "经膳食委员会核查，近期菜价上涨主要受猪肉等原材料采购价格上涨影响。餐饮服务中心已从本周起每天推出两款10元营养套餐，荤菜分量按标准称重后公示，早餐新增牛肉面、豆浆油条等6个品种。欢迎继续监督。",
        fates: "RRSSCMRS", ..T },
    Topic { units: &["s3_food"], cat: "canteen", matter: "职工食堂线上订餐",
        says: &[
            ("中午食堂排队时间太长", "中午11点半下班到食堂，排队要二十分钟，吃完饭午休时间就没了。"),
            ("加班职工吃不上饭", "晚上加班到七八点，食堂已经收了，只能吃泡面，希望能给加班的人留饭。"),
            ("希望能在手机上提前订餐", "能不能在手机上提前订餐，到点直接取，省得排长队。"),
        ],
        fates: "AASMMCSA", ..T },
    Topic { units: &["s3_food"], cat: "canteen",
        says: &[
            ("食堂餐具有油渍", "这几天在食堂吃饭，好几次拿到的餐盘上有油渍，筷子也有异味，希望加强餐具清洗消毒。"),
            ("食堂就餐区卫生差", "中午高峰时桌面来不及收拾，地面湿滑，希望增加保洁人员。"),
        ],
        answer: "已对洗碗间进行整改，新增一台高温消毒柜，实行餐具“一洗二冲三消毒”，每餐由值班经理抽检；中午高峰时段增派2名保洁员。感谢您的监督。",
        fates: "RSSC", ..T },
    Topic { units: &["s2_ore"], cat: "canteen",
        says: &[
            ("选矿厂食堂菜太咸", "选矿厂食堂的菜普遍偏咸偏油，年纪大的职工有高血压，吃不了。"),
            ("希望食堂增加少油少盐窗口", "希望食堂能开一个少油少盐的窗口，再多几个素菜。"),
        ],
        answer: "选矿厂食堂已成立职工膳食委员会，每月征求菜品意见；少油少盐窗口已于上月开设，10元营养套餐每天供应。您反映的口味问题已转告厨师班组，下周起统一控制用盐量。",
        fates: "RRSR", ..T },
    Topic { units: &["s1_bof", "s1_steel", "s1_maint"], cat: "canteen", to: "s3_food", matter: "一线岗位送餐到岗",
        says: &[
            ("炉前岗位离不开人，希望送饭到岗位", "炉前岗位不能离人，去食堂来回要半个小时，饭经常是凉的，希望能送餐到岗位。"),
            ("炼钢夜班也想吃口热饭", "热轧厂已经有夜班餐了，我们炼钢夜班还是只能吃方便面，希望也安排夜班热饭。"),
            ("一线职工就餐太远", "从车间走到食堂要十五分钟，中午只有四十分钟吃饭时间，希望就近设送餐点。"),
        ],
        answer: "餐饮服务中心已为第一炼钢厂开通夜班送餐，每晚23:30按班组订餐数量送到岗位，两荤两素一汤，费用按食堂标准价结算。",
        fates: "WWTUVSW", ..T },
    Topic { units: &["s1_hot"], cat: "canteen",
        says: &[
            ("夜班餐能不能多几个花样", "热轧厂夜班餐开了以后大家很满意，就是天天差不多，希望能多几个花样，比如水饺、馄饨。"),
        ],
        answer: "热轧厂夜班餐现每周菜谱不重样，每晚供应两荤两素和面食。您提出的增加水饺、馄饨的建议已采纳，下周起每周二、四供应。",
        fates: "RSS", ..T },
    Topic { units: &["s3_food", "s1_hot"], cat: "canteen", matter: "为驻厂合作单位提供团餐服务",
        says: &[
            ("协力单位人员能不能在食堂吃饭", "我们是驻厂检修单位的，中午只能在厂门口路边摊吃饭，希望能办个就餐卡在职工食堂吃饭。"),
        ],
        answer: "热轧厂已向协力单位职工开放食堂和休息室，请协力单位统一到厂办办理通行就餐卡，价格与正式职工相同。",
        fates: "AR", ..T },
    Topic { units: &["g_union"], cat: "canteen", matter: "定点帮扶村农产品进食堂",
        says: &[("食堂能不能多用帮扶村的小米杂粮", "去年工会发的帮扶村小米很好吃，建议食堂早餐的小米粥、杂粮馒头都用帮扶村的，既帮了村里又让职工吃得放心。")],
        fates: "A", ..T },
    // ---- rest rooms, lockers, working conditions ----
    Topic { units: &["s1_steel"], cat: "office", matter: "一线职工休息室标准化改造",
        says: &[
            ("岗位休息室夏天太热", "{unit}岗位休息室只有一台旧电扇，夏天室内三十五六度，根本休息不了。"),
            ("休息室没有饮水机和微波炉", "休息室没有饮水机，热饭也要跑到楼下，希望配齐饮水机和微波炉。"),
            ("休息室太小，交班时站不下", "交接班时二十多人挤在十几平方米的休息室里，连坐的地方都没有。"),
        ],
        fates: "AAMSCAM", ..T },
    Topic { units: &["s1_bof"], cat: "office", matter: "转炉车间炉前休息室加装空调和饮水机",
        says: &[
            ("炉前休息室空调什么时候装完", "炉前休息室的空调说好了要装，到现在只装了两台，剩下的什么时候装？"),
            ("炉前休息室还是只有一台电扇", "三号炉炉前休息室还是只有一台电扇，饮水要到楼下打，夏天太难熬了。"),
        ],
        fates: "AMMMSCS", ..T },
    Topic { units: &["s1_bof"], cat: "office", matter: "转炉车间更衣柜“一人一柜”",
        says: &[
            ("两个人合用一个更衣柜", "转炉车间更衣柜不够，我和同班组的师傅两个人合用一个柜子，衣服都放不下。"),
            ("更衣柜锈得关不上", "更衣柜锈得厉害，柜门关不上，东西丢了好几次。"),
        ],
        fates: "AMMS", ..T },
    Topic { units: &["s1_hot"], cat: "office", matter: "热轧厂主控室及操作室空调改造",
        says: &[
            ("操作室空调制冷效果差", "精轧操作室空调开到最低温度也不凉，室内三十多度，电脑屏幕都烫手。"),
            ("主控室夏天三十多度", "主控室空调老化，下午室温超过三十二度，设备报警了好几次，人也受不了。"),
        ],
        fates: "AMSCA", ..T },
    Topic { units: &["s1_energy"], cat: "office", matter: "泵站值班室改造",
        says: &[("泵站值班室没有卫生间", "三号泵站值班室没有卫生间，上厕所要走五百米，夜班值班很不方便。")],
        fates: "AS", ..T },
    Topic { units: &["s1_trans"], cat: "housing",
        says: &[("乘务员公寓的空调还是很吵", "乘务员待班公寓换了新空调，但302房间的空调外机还是嗡嗡响，睡不好觉。")],
        answer: "机车乘务员公寓24台空调已全部更换为静音空调。您反映的302房间空调噪声，经检查为外机支架松动，已于今日紧固处理。",
        fates: "RS", ..T },
    Topic { units: &["s1_party", "s1_energy"], cat: "office",
        says: &[
            ("办公电脑太旧，开机要十分钟", "科室的电脑都是十年前配的，开机要十分钟，财务共享平台经常卡死。"),
            ("打印机经常卡纸", "办公室共用的打印机经常卡纸，报修后要等好几天。"),
        ],
        answer: "股份公司已将老旧办公电脑更新纳入本年度信息化预算，运行超过8年的电脑将于下季度分批更换；打印机已与服务商约定4小时内上门维修。",
        fates: "SCRS", ..T },
    // ---- children ----
    Topic { units: &["s3_kids"], cat: "education", matter: "职工子女入园难",
        says: &[
            ("孩子明年上幼儿园报不上名", "我家孩子明年九月该上幼儿园了，附近的公办园都说满了，希望幼教中心能多收一些职工子女。"),
            ("新城区幼儿园学位太紧张", "新城区职工家庭越来越多，幼儿园学位太紧张，排队都排不上。"),
            ("新城分园什么时候开园", "听说要建新城分园，请问什么时候能开园？托班收不收两岁半的孩子？"),
        ],
        fates: "AMMASSCMS", ..T },
    Topic { units: &["s1_hot", "s1_trans", "s2_ore"], cat: "education", to: "s3_kids", matter: "职工子女入园难",
        says: &[
            ("职工子女入园难，希望单位帮忙协调", "我们是倒班双职工，孩子明年要上幼儿园，附近公办园报不上名，希望单位帮忙协调幼教中心的学位。"),
        ],
        answer: "幼教中心新城分园预计明年春季开园，新增学位270个，职工子女优先。请于下月15日前在职工服务平台登记入园需求，我们将按登记顺序电话联系。",
        fates: "WTVU", ..T },
    Topic { units: &["s3_kids"], cat: "education",
        says: &[
            ("寒暑假孩子没人看", "双职工家庭放寒暑假孩子没人看，希望幼教中心办寒暑假托管班。"),
            ("希望幼儿园延时班延长到七点", "延时班六点半结束，我们下班赶过去经常迟到，希望延长到七点。"),
        ],
        answer: "幼教中心延时托管班现开放至18:30，寒暑假开设职工子女托管班，报名可在每学期末通过职工服务平台办理。延时至19:00的需求，我们将在下学期征求家长意见后研究。",
        fates: "RRSC", ..T },
    // ---- commuting ----
    Topic { units: &["s3_bus"], cat: "transport", matter: "班车站点增设候车亭",
        says: &[
            ("班车站点下雨没地方躲", "新城区几个班车站点只有站牌，下雨下雪只能站在路边淋着等车。"),
            ("候车亭只建了三个", "说好建八个候车亭，现在只建了三个，剩下的什么时候建？"),
        ],
        fates: "AMASC", ..T },
    Topic { units: &["s3_bus"], cat: "transport", matter: "通勤班车更新为新能源车辆",
        says: &[
            ("班车冬天暖风不热", "8路班车冬天暖风不热，一路上冻得脚发麻。"),
            ("老班车噪声大、尾气呛人", "有几台老班车噪声特别大，尾气味道很重，坐后排的人头晕。"),
        ],
        fates: "AMSSA", ..T },
    Topic { units: &["s1_hot", "s1_energy", "s1_trans", "s1_steel"], cat: "transport", to: "s3_bus",
        says: &[
            ("希望增开晚班通勤车", "中班十二点下班后没有班车，只能打车回新城区，一个月光车费就几百块。"),
            ("班车发车时间和交班时间对不上", "早班七点半交班，班车七点四十才到，每天都要迟到，希望班车提前十分钟。"),
            ("新城区班车站点太少", "新城区只有两个班车站点，住在东边的职工要走二十分钟才能坐上车。"),
        ],
        answer: "通勤车队已根据倒班时间调整发车时刻，自下周一起增开18:40、0:20两个班次，班车实时位置可在职工服务平台查询。新城区增设站点问题已纳入线路优化方案统筹研究。",
        fates: "TUVTVSRTU", ..T },
    Topic { units: &["s2_mine", "s2_pit"], cat: "transport",
        says: &[("夜班班车能不能再晚半小时", "0:30的班车开了以后方便多了，但是夜班交接完洗个澡经常赶不上，希望推迟到1:00。")],
        answer: "东山矿区已增开0:30和8:30两个班次，线路延伸至新城区。您提出的推迟半小时的建议，车队将结合夜班交接时间统计乘车人数后研究，一个月内答复。",
        fates: "RSR", ..T },
    Topic { units: &["s3_bus"], cat: "transport",
        says: &[("班车定位经常不准", "手机上查的班车位置经常不准，显示还有五分钟，其实车已经开走了。")],
        answer: "经检查，部分班车定位终端信号模块老化，已全部更换，定位刷新间隔由60秒缩短到10秒。",
        fates: "RSC", ..T },
    Topic { units: &["s1", "s1_steel", "s1_bof"], cat: "transport", matter: "厂前区职工停车位扩容",
        says: &[
            ("早班来晚了没地方停车", "厂前区停车位太少，七点以后到就找不到车位，只能停到两公里外。"),
            ("厂前区路边停车老被贴罚单", "厂前区车位不够只能停在路边，交警经常来贴罚单，一个月被罚好几次。"),
            ("电动车没地方停也没地方充电", "炼钢厂门口的车棚拆了以后电动车没地方停，更没地方充电。"),
        ],
        fates: "AAAMMMSCSA", ..T },
    Topic { units: &["s1_trans"], cat: "safety", matter: "厂区铁路道口安全改造",
        says: &[("东门道口上下班人车混行太危险", "东门铁路道口没有栏杆，上下班高峰自行车、汽车、行人都挤在一起，火车过来很危险。")],
        fates: "AMSC", ..T },
    // ---- health ----
    Topic { units: &["s1_hot", "s2_ore", "s3_food", "g_hr", "s1_energy"], cat: "health", matter: "职工健康体检提质扩面",
        says: &[
            ("体检项目多年没变", "单位体检年年都是那几项，抽血、B超、心电图，希望根据年龄和岗位调整体检项目。"),
            ("希望体检增加肿瘤筛查", "身边好几个同事查出了肿瘤，发现时都晚了，希望体检增加肿瘤标志物和胃肠镜检查。"),
            ("体检报告看不懂，希望有医生解读", "体检报告上好多箭头，看不懂也没人解释，希望安排医生解读。"),
        ],
        answer: "集团已分单位制定体检套餐，40岁以上职工增加低剂量螺旋CT和肿瘤标志物检查，体检结果由职工医院安排医生一对一解读，具体时间由各单位工会通知。",
        fates: "AAAASCRMA", ..T },
    Topic { units: &["s2_pit", "s2_mine"], cat: "health", matter: "东山铁矿井下职工职业健康检查",
        says: &[
            ("粉尘岗位希望增加肺功能检查", "井下粉尘大，干了二十多年，总觉得胸闷，希望职业健康检查增加肺功能项目。"),
            ("掘进工区什么时候安排职业健康检查", "采矿、运输工区都检查完了，我们掘进工区什么时候安排？"),
        ],
        fates: "AASMC", ..T },
    Topic { units: &["s3_food", "s3_kids", "s3_prop"], cat: "health", matter: "实业公司女职工“两癌”筛查",
        says: &[
            ("希望组织女职工“两癌”筛查", "{unit}女职工多，大多四十岁以上，希望单位组织宫颈癌、乳腺癌筛查。"),
            ("“两癌”筛查什么时候开始", "听说今年要组织女职工“两癌”筛查，什么时候开始？在哪里报名？"),
        ],
        fates: "AASMA", ..T },
    Topic { units: &["s2_mine"], cat: "health", matter: "矿区职工心理疏导室建设",
        says: &[("希望矿上有心理咨询", "井下工作压力大，有的工友晚上睡不着、脾气急，希望矿上能请心理医生来。")],
        fates: "AMS", ..T },
    // ---- safety and protective equipment ----
    Topic { units: &["s1_hot"], cat: "safety", matter: "热轧厂区道路破损维修", to: "s3_prop",
        says: &[
            ("成品库到2号门的路坑太多", "热轧成品库到2号门的路坑坑洼洼，骑电动车上下班好几个人摔过。"),
            ("厂区道路雨天积水", "一下雨2号门内路段积水没过脚面，车一过溅人一身。"),
            ("厂区道路没路灯，夜班骑车看不清", "成品库那段路的路灯坏了半年，夜班骑车看不清路，很危险。"),
        ],
        fates: "AMMSCAB", ..T },
    Topic { units: &["s2_ore"], cat: "safety", matter: "选矿厂破碎车间降噪除尘",
        says: &[
            ("破碎车间粉尘太大", "破碎车间粉尘大得看不清人，口罩戴一个班就黑了。"),
            ("破碎机噪声大，戴耳塞也不管用", "破碎机噪声太大，戴着耳塞下班耳朵还嗡嗡响，担心听力受损。"),
            ("除尘设备经常坏", "破碎车间除尘器三天两头坏，修好了用不了几天又不行了。"),
        ],
        fates: "AMMSCAS", ..T },
    Topic { units: &["s1_maint"], cat: "safety", matter: "检修车间高温作业防暑降温",
        says: &[
            ("高温作业点缺少降温设备", "夏天到转炉下面检修，温度五十多度，作业点一台冷风机都没有。"),
            ("防暑饮品发放不及时", "防暑降温的绿豆汤、盐汽水经常下午才送到，上午最热的时候没有。"),
        ],
        answer: "检修车间防暑饮品已改为每天上午9点前配送到各班组，高温作业点已配置冷风机12台，剩余8台本月底前到位。",
        fates: "AMSRC", ..T },
    Topic { units: &["s1_bof", "s1_steel"], cat: "safety",
        says: &[
            ("转炉平台通风不好，烟气呛人", "转炉平台兑铁水时烟气散不出去，呛得人直咳嗽。"),
            ("车间排风扇坏了好几台", "炼钢车间屋顶的排风扇坏了好几台一直没修，夏天闷得透不过气。"),
        ],
        answer: "经安全环保部门现场检测，转炉平台局部区域通风不足，已安排本周内更换损坏的6台轴流风机，并在炉前增设2台移动式排风机。后续将结合除尘系统改造统筹解决。",
        fates: "SCRSR", ..T },
    Topic { units: &["s1_bof", "s1_maint", "s1_hot"], cat: "safety",
        says: &[
            ("劳保手套不够用", "一个月只发两副手套，干检修一个星期就磨破了，只能自己买。"),
            ("工作服尺码不合身", "工作服只有三个尺码，个子高的穿着短，个子小的穿着拖地，干活不安全。"),
            ("希望劳保鞋一年发两双", "劳保鞋一年一双，在炉前穿不到半年鞋底就烫坏了，希望一年发两双。"),
        ],
        answer: "已协调安全环保部，参照矿业公司“按需申领”做法，自下月起手套、口罩等易耗品按月配送到班组，工作服可按实际尺码申领。",
        decline: ("policy", "劳保鞋按照公司《劳动防护用品配备标准》每年发放一双；因高温磨损影响安全的，可凭班组长确认随时以旧换新，无需等到发放周期。"),
        fates: "RSDRCS", ..T },
    Topic { units: &["s2_pit", "s2_ore"], cat: "safety",
        says: &[("线上申领的劳保用品什么时候到", "上个月在网上申领的手套和口罩到现在还没发下来，班组已经不够用了。")],
        answer: "劳保用品线上申领后，易耗品每月5日前配送到班组，其他物品10个工作日内发放。您所在班组本月配送因物流原因延迟，已于今日送达。",
        fates: "RR", ..T },
    Topic { units: &["s2_pit"], cat: "safety", matter: "井下候车硐室加装座椅和照明",
        says: &[
            ("候车硐室没有座椅", "井下候车硐室没有座椅，交接班等罐笼要站半个小时。"),
            ("候车硐室太暗", "-300米候车硐室只有一盏灯，看不清脚下，容易绊倒。"),
        ],
        fates: "AMS", ..T },
    // ---- housing, dormitories, heating ----
    Topic { units: &["s3_prop"], cat: "housing",
        says: &[
            ("宿舍房间网速慢", "单身宿舍房间里网速很慢，晚上看个视频都卡。"),
            ("3号宿舍楼晚上经常断网", "3号宿舍楼最近晚上十点以后经常断网，上网课很受影响。"),
        ],
        answer: "单身宿舍无线网络已于上月全部开通，实测房间下载速率200Mbps以上。3号楼晚间断网系一台交换机故障，已于昨日更换。如仍有问题，请拨打物业报修电话。",
        fates: "RRSMCR", ..T },
    Topic { units: &["g_hr"], cat: "housing", to: "s3_prop",
        says: &[("人才公寓没有网络", "新入职住进人才公寓，房间里没有网络，只能用手机流量，希望和单身宿舍一样装上无线网。")],
        answer: "人才公寓无线网络已纳入物业管理中心本月施工计划，预计两周内开通，费用由公司承担。",
        fates: "TV", ..T },
    Topic { units: &["s3_prop"], cat: "housing",
        says: &[
            ("宿舍卫生间漏水好几天没人修", "2号宿舍楼四楼卫生间漏水好几天了，报修后一直没人来。"),
            ("宿舍热水器坏了", "宿舍热水器坏了一个星期，冬天只能去澡堂洗。"),
        ],
        answer: "已安排维修人员上门处理，漏水系下水管接口老化，已更换；热水器已更换新机。物业管理中心将对报修超过48小时未处理的情况进行通报。",
        fates: "RSSCS", ..T },
    Topic { units: &["s3_prop"], cat: "housing", matter: "家属区老旧住宅加装电梯",
        says: &[
            ("家属楼能不能装电梯", "家属区都是六层老楼，老人腿脚不好，一年下不了几次楼，希望装电梯。"),
            ("老人上六楼太难了", "我父母住在家属区六楼，七十多岁了，上下楼要歇好几次。"),
            ("加装电梯补贴怎么申请", "我们单元已经商量好了要加装电梯，公司补贴怎么申请？"),
        ],
        fates: "AAMMSCS", ..T },
    Topic { units: &["s3_prop"], cat: "safety", matter: "宿舍区电动自行车集中充电设施",
        says: &[
            ("宿舍楼道里电动车充电太危险", "宿舍楼道里天天有人拉电线给电动车充电，万一着火后果不堪设想。"),
            ("宿舍区没有充电桩", "宿舍区不让在楼道充电，可也没有充电桩，电动车没法充电。"),
        ],
        fates: "AMSCA", ..T },
    Topic { units: &["s1_energy"], cat: "housing",
        says: &[
            ("家属区暖气不热", "家属区12号楼暖气摸着不热，屋里只有十五六度，老人孩子受不了。"),
            ("供暖报修电话打不通", "暖气漏水打报修电话，打了一上午都占线。"),
        ],
        answer: "家属区余热供暖改造已完成，供暖期室温按不低于18℃保障。供暖报修已开通24小时热线，实行“半小时响应、两小时到场”。您家的情况已派抢修队上门检查。",
        fates: "RRSMR", ..T },
    Topic { units: &["s3_prop"], cat: "housing",
        says: &[
            ("小区物业费太高", "我住的阳光花园小区物业费一年涨了两次，希望公司出面管一管。"),
            ("商品房小区停车难", "阳光花园小区车位太少，物业乱收停车费，希望公司协调。"),
        ],
        decline: ("out_of_scope", "您所住的阳光花园小区由社会物业公司管理，不属于公司物业管理中心服务范围。物业收费问题可向所在街道办事处或区住建局物业科反映。"),
        fates: "DD", ..T },
    // ---- paperwork, pay, careers ----
    Topic { units: &["s1", "s1_party", "s1_steel", "s1_energy"], cat: "office", matter: "差旅费无纸化报销",
        says: &[
            ("报销要跑好几个部门签字", "报一次差旅费要贴票、找五个人签字，跑好几个部门，一笔报销要两三周。"),
            ("差旅费报销太慢", "上个月出差垫付的四千多块钱到现在还没报下来。"),
            ("希望推行电子发票报销", "现在都是电子发票了，还要打印出来贴票，希望能直接在手机上报销。"),
        ],
        answer: "差旅费移动报销已在股份公司机关试点，下月起推广到各二级厂部，届时电子发票可在手机上直接提交、自动查验，无需贴票和逐级签字。",
        fates: "AAASMMRSCA", ..T },
    Topic { units: &["s2", "s2_ore"], cat: "office",
        says: &[("矿业公司报销也希望能网上办", "听说股份公司可以手机报销了，矿业公司什么时候也能网上报销？我们离机关远，跑一趟要半天。")],
        answer: "股份公司财务共享平台移动报销功能正在试点，矿业公司计划在股份公司推广完成后接入，预计明年一季度上线，届时将组织培训。",
        fates: "RSR", ..T },
    Topic { units: &["s1_trans", "s1_energy", "s2_pit", "s3_bus"], cat: "pay",
        says: &[
            ("国庆加班费没有按三倍发", "国庆节值了三天班，工资条上加班费只按两倍算的，希望核实。"),
            ("加班费计算看不明白", "工资条上加班费一栏只有一个总数，不知道怎么算出来的。"),
            ("节假日值班没有加班费", "春节期间在泵站值班，说是值班不算加班，没有加班费。"),
        ],
        answer: "经人力资源部门核实，法定节假日加班按日工资的300%计发；因考勤系统数据延迟，部分职工未随上月工资发放，将随本月工资一并补发，并在工资条中单列计算明细。",
        fates: "RRSCRSRC", ..T },
    Topic { units: &["s1_steel", "s2_mine", "s1_energy"], cat: "pay",
        says: &[
            ("夜班补贴标准多年没涨", "夜班补贴一个班十五块，十年没变过了，希望提高。"),
            ("希望提高夜班津贴", "倒班职工常年上夜班，身体吃不消，希望提高夜班津贴。"),
        ],
        answer: "夜班津贴标准调整涉及集团薪酬制度，已汇总职工意见报集团人力资源部，将在明年薪酬制度修订中统筹研究，研究结果将通过职工代表大会向大家通报。",
        fates: "SSCRSC", ..T },
    Topic { units: &["g_hr", "s1_steel"], cat: "pay", matter: "拓宽技能人才职业发展通道", to: "g_hr",
        says: &[
            ("技能工人晋升通道太窄", "干了二十年的高级工，想评技师没有名额，技能工人看不到奔头。"),
            ("高级技师待遇还不如科员", "高级技师的工资还不如机关刚来两年的科员，年轻人都不愿意学技术。"),
        ],
        fates: "AWMS", ..T },
    Topic { units: &["s2_ore"], cat: "pay", matter: "选矿厂职工技能等级认定",
        says: &[("浮选工好多年没评过技能等级", "选矿厂浮选工、磨矿工好多年没组织过技能等级认定，想考个高级工都没地方考。")],
        fates: "AS", ..T },
    Topic { units: &["s1_energy"], cat: "other",
        says: &[("希望组织电工证复审培训", "我们班组有六个人的电工证明年到期，自己去外面培训要请假还要自费，希望单位统一组织。")],
        answer: "能源动力厂已与市安全生产培训中心联系，下月中旬在厂内组织特种作业操作证复审培训，费用由单位承担，请各班组于本月底前报名。",
        fates: "RS", ..T },
    Topic { units: &["g_union", "s2_mine", "s1_energy"], cat: "pay",
        says: &[("退休职工过节也想有点福利", "我们退休职工为企业干了一辈子，现在逢年过节什么都没有，希望也能发点过节费。")],
        decline: ("policy", "按照国家和集团有关规定，退休人员已实行社会化管理，企业不得向退休人员发放过节费。集团工会每年春节前走访慰问困难退休职工，如有困难可向所在单位工会反映。"),
        fates: "DDS", ..T },
    Topic { units: &["s1_hot", "s1_bof"], cat: "pay",
        says: &[("希望提高高温津贴标准", "夏天在轧线旁边干活，高温津贴一个月才三百块，希望提高标准。")],
        decline: ("policy", "高温津贴按省人力资源和社会保障厅规定的标准发放，公司已按最高档执行。高温作业岗位的防暑降温措施，我们将继续落实到位。"),
        fates: "DD", ..T },
    Topic { units: &["g_hr", "s1"], cat: "pay",
        says: &[("希望提高住房公积金缴存比例", "现在房价这么高，希望公司把住房公积金缴存比例再提高一些。")],
        decline: ("policy", "住房公积金缴存比例按市住房公积金管理中心规定执行，公司目前已按12%的上限比例缴存，无法再行提高。"),
        fates: "DDC", ..T },
    Topic { units: &["g_hr", "s2_ore"], cat: "pay",
        says: &[
            ("劳务派遣期间的工龄应该连续计算", "我在劳务派遣公司干了六年后转为正式工，工龄只从转正算起，希望连续计算并补发工龄工资。"),
            ("要求补发转岗前的经济补偿", "原单位改制时没有给经济补偿，希望公司补发。"),
        ],
        decline: ("legal", "您反映的问题涉及与原劳务派遣单位之间的劳动争议，依法应通过劳动争议调解或仲裁途径解决。集团工会可为您提供免费法律咨询，联系电话内线6612。"),
        fates: "DD", ..T },
    Topic { units: &["s1_steel", "s2_mine", "s3_prop"], cat: "other",
        says: &[
            ("希望招聘时照顾职工子女", "老职工的孩子大学毕业找不到工作，希望公司招聘时给职工子女一些照顾。"),
            ("孩子大学毕业想回单位工作", "我孩子学的是冶金专业，今年毕业，想回咱们单位工作，能不能给个名额？"),
        ],
        decline: ("policy", "公司招聘严格执行公开招聘制度，面向社会公开、平等竞争，不设定向照顾。今年校园招聘计划将于下月在集团官网公布，欢迎符合条件的职工子女报名。"),
        fates: "DDS", ..T },
    Topic { units: &["s1_hot", "s3_bus", "s2_pit"], cat: "other",
        says: &[
            ("领导作风有问题", "有的管理人员工作作风不好，希望领导重视。"),
            ("有些事情希望领导管一管", "车间里有些事情不公平，大家都有意见。"),
        ],
        decline: ("unclear", "您反映的情况未写明具体单位、人员和事项，暂无法核实办理。欢迎补充具体情况后重新提交，也可直接拨打集团纪委监督电话，我们将依规保护反映人。"),
        fates: "DDS", ..T },
    // ---- the union, culture, young people, veterans ----
    Topic { units: &["g_union", "s1_bof"], cat: "culture", matter: "职工疗休养名额向一线倾斜",
        says: &[
            ("疗休养名额都被机关占了", "干了二十年倒班一次疗休养都没轮上，名额都被机关的人占了。"),
            ("今年的疗休养还组织吗", "报名疗休养好几个月了一直没消息，今年还组织吗？"),
        ],
        answer: "本年度一线职工疗休养名额占比已按不低于70%安排。因疗休养基地冬季设施检修，本批次顺延至明年春季组织，已报名职工名额保留。",
        fates: "ARSC", ..T },
    Topic { units: &["g_union"], cat: "culture",
        says: &[("职工书屋周末能不能开门", "平时上班没时间，周末想去职工书屋借书，可周末不开门。")],
        answer: "职工书屋现每天开放至21:00，周末照常开放，自助借还机24小时可用；电子书屋可通过职工服务平台登录使用。",
        fates: "RS", ..T },
    Topic { units: &["g_union"], cat: "other",
        says: &[("职工服务热线晚上打不通", "晚上十点多打职工服务热线一直占线，不是说24小时受理吗？")],
        answer: "职工服务热线实行7×24小时受理，夜间由值班受理员接听。经查您来电时段线路繁忙，已增加夜间坐席一个；如遇占线，可通过线上平台提交，同样限时答复。",
        fates: "RS", ..T },
    Topic { units: &["g_union"], cat: "other", matter: "退役军人职工服务站建设",
        says: &[("退役军人优待证去哪里办", "我是退役军人，想办退役军人优待证，不知道去哪里办，单位能不能统一办理？")],
        answer: "退役军人优待证由户籍所在地区县退役军人事务局办理，集团退役军人服务站可代为收取材料、统一报送，服务站设在集团工会二楼，电话内线6688。",
        fates: "AR", ..T },
    Topic { units: &["s1_party", "s1_hot"], cat: "culture", matter: "青年职工联谊交友活动",
        says: &[("希望多组织青年联谊活动", "厂里单身青年多，倒班时间不固定，平时接触不到外面的人，希望工会团委多组织联谊活动。")],
        fates: "AS", ..T },
    Topic { units: &["s2_mine"], cat: "culture", matter: "东山铁矿“职工之家”建设",
        says: &[
            ("矿区下班后没有活动的地方", "矿区离市区四十多公里，下班后除了睡觉就是看手机，希望有个活动的地方。"),
            ("希望建个健身房", "年轻职工多，希望矿上建个健身房，冬天也能锻炼。"),
        ],
        fates: "AMSCS", ..T },
    Topic { units: &["s2_pit"], cat: "culture", matter: "采矿车间班组活动室配置健身器材",
        says: &[("班组活动室的健身器材什么时候能用", "听说班组活动室的健身器材到货了，什么时候能装好用上？")],
        fates: "AS", ..T },
    Topic { units: &["s1_steel"], cat: "culture", to: "s3_prop",
        says: &[("篮球场的灯坏了", "厂区篮球场的灯坏了一半，晚上下班想打球看不清。")],
        answer: "篮球场损坏的8盏灯已更换完毕，开放时间延长至晚上22:00。",
        fates: "SRB", ..T },
    // ---- meals underground, villages ----
    Topic { units: &["s2_mine", "s2_pit"], cat: "canteen", matter: "井下作业人员班中餐热食配送",
        says: &[
            ("-420米水平还吃不上热饭", "-300米水平已经送热饭了，我们-420米水平还是只能吃自带的冷饭。"),
            ("井下班中餐只能自带", "井下班中餐只能早上自带，到中午饭菜早就凉透了。"),
            ("送到井下的饭菜不够吃", "送到井下的饭菜分量少，干体力活的吃不饱。"),
        ],
        fates: "AAMMSCAS", ..T },
    Topic { units: &["s2_mine"], cat: "other",
        says: &[("王家庄村路边灰尘太大", "矿石车从村里过，路修好了，可灰尘还是很大，家里窗户都不敢开。")],
        answer: "矿区已要求运输车辆进村限速20公里，每天洒水降尘四次；修复后的村道如有新的损坏，请拨打矿区服务电话，我们将在三个工作日内修复。",
        fates: "RS", ..T },
    Topic { units: &["s2_ore"], cat: "other", matter: "尾矿库周边村民饮水安全保障",
        says: &[("李家沟村自来水什么时候能通", "我是李家沟村村民，听说企业要帮村里通自来水，现在停下来了，什么时候能通？")],
        fates: "AC", ..T },
];

/// Each topic has what its fates need.
fn check_topics() -> Result<(), String> {
    for t in TOPICS {
        let first = t.says.first().map_or("?", |s| s.0);
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("demo topic {first}: {what}"))
            }
        };
        need(
            !t.units.is_empty() && !t.says.is_empty(),
            "units and wordings",
        )?;
        for f in t.fates.chars() {
            need("SCRAMDTUVWB".contains(f), "unknown fate")?;
            need(!"RV".contains(f) || !t.answer.is_empty(), "an answer")?;
            need(f != 'D' || !t.decline.1.is_empty(), "a reason to decline")?;
            need(!"AW".contains(f) || !t.matter.is_empty(), "a matter")?;
            need(
                !"TUVWB".contains(f) || !t.to.is_empty(),
                "a unit to transfer to",
            )?;
        }
    }
    Ok(())
}

/// Channels in turn: online forms and the phone most often, a leader's visit least.
const CHANNELS: &[Channel] = &[
    Channel::Online,
    Channel::Mobile,
    Channel::Hotline,
    Channel::Online,
    Channel::Mobile,
    Channel::SuggestionBox,
    Channel::Questionnaire,
    Channel::Mobile,
    Channel::Online,
    Channel::Symposium,
    Channel::Mailbox,
    Channel::Hotline,
    Channel::Mobile,
    Channel::Online,
    Channel::Visit,
    Channel::Api,
    Channel::Mobile,
    Channel::Questionnaire,
    Channel::Online,
    Channel::Hotline,
    Channel::SuggestionBox,
    Channel::Symposium,
    Channel::Mobile,
    Channel::Mailbox,
    Channel::Api,
];

/// Words people end with, for a little variety between the same complaints.
const CLOSINGS: &[&str] = &[
    "",
    "希望尽快解决。",
    "谢谢！",
    "请领导重视。",
    "盼复。",
    "大家都有这个想法。",
];

const BOXES: &[&str] = &[
    "一号门岗意见箱",
    "职工食堂意见箱",
    "浴室门口意见箱",
    "办公楼大厅意见箱",
    "二号门岗意见箱",
    "宿舍楼一楼意见箱",
];

const ATTENDEES: &[&str] = &[
    "一线职工代表12人，工会主席、车间主任参加",
    "倒班职工代表9人，厂办、人力资源部负责人参加",
    "青年职工代表8人，团委书记参加",
    "女职工代表10人，女工委主任参加",
];

/// The unit keys and ids, paths and names, people and matters the demands refer to.
pub(super) struct Org<'a> {
    pub units: &'a HashMap<&'static str, i64>,
    pub paths: &'a HashMap<&'static str, String>,
    pub names: &'a HashMap<&'static str, &'static str>,
    pub actors: &'a HashMap<&'static str, Actor>,
    /// Matter title → (id, unit key).
    pub matters: &'a HashMap<&'static str, (i64, &'static str)>,
}

impl Org<'_> {
    pub(super) fn actor(&self, name: &str) -> ServiceResult<&Actor> {
        self.actors
            .get(name)
            .ok_or_else(|| ServiceError::Internal(format!("demo data: unknown person {name}")))
    }

    fn path(&self, unit: &str) -> ServiceResult<&str> {
        self.paths
            .get(unit)
            .map(String::as_str)
            .ok_or_else(|| ServiceError::Internal(format!("demo data: unknown unit {unit}")))
    }

    fn name(&self, unit: &str) -> &'static str {
        self.names.get(unit).copied().unwrap_or("")
    }

    /// The intake clerk who works the unit's inbox.
    fn clerk(&self, unit: &str) -> ServiceResult<&Actor> {
        self.actor(match subsidiary(unit) {
            "s1" => "clerk1",
            "s2" => "clerk2",
            "s3" => "clerk3",
            _ => "clerk",
        })
    }

    /// The unit admin over the unit, who runs its list of matters.
    pub(super) fn admin(&self, unit: &str) -> ServiceResult<&Actor> {
        self.actor(match subsidiary(unit) {
            "s1" => "sub1admin",
            "s2" => "sub2admin",
            "s3" => "sub3admin",
            _ => "unitadmin",
        })
    }

    /// The unit key of a demo matter.
    pub(super) fn unit_of(&self, m: &shishi_store::matters::MatterRow) -> &'static str {
        self.matters
            .values()
            .find(|(id, _)| *id == m.id)
            .map_or("group", |(_, unit)| *unit)
    }

    /// A clerk (or, failing one, the group's unit admin) who handles demands at `path`.
    pub(super) fn clerk_for_path(&self, path: &str) -> ServiceResult<&Actor> {
        ["clerk1", "clerk2", "clerk3", "clerk", "unitadmin", "admin"]
            .iter()
            .filter_map(|n| self.actors.get(n))
            .find(|a| a.handles_demands(path))
            .ok_or_else(|| ServiceError::Internal(format!("demo data: no clerk for {path}")))
    }

    /// Members to raise or co-sign a demand at `unit`: those at or below it, else those of its
    /// subsidiary, else everybody; never `except`.
    fn members(&self, unit: &str, except: Option<i64>) -> ServiceResult<Vec<&Actor>> {
        let path = self.path(unit)?;
        let sub = self.path(subsidiary(unit))?;
        let everyone: Vec<&Actor> = std::iter::once("member")
            .chain(MEMBERS.iter().map(|(u, _, _)| *u))
            .map(|u| self.actor(u))
            .collect::<ServiceResult<_>>()?;
        let everyone: Vec<&Actor> = everyone
            .into_iter()
            .filter(|a| Some(a.id()) != except)
            .collect();
        for root in [path, sub] {
            let near: Vec<&Actor> = everyone
                .iter()
                .copied()
                .filter(|a| a.grants.iter().any(|g| in_subtree(&g.unit_path, root)))
                .collect();
            if near.len() >= 2 {
                return Ok(near);
            }
        }
        Ok(everyone)
    }
}

/// The subsidiary a unit key belongs to, or `group`.
fn subsidiary(unit: &str) -> &'static str {
    match unit.split('_').next() {
        Some("s1") => "s1",
        Some("s2") => "s2",
        Some("s3") => "s3",
        _ => "group",
    }
}

/// A mobile number that looks like one.
fn phone(n: usize) -> String {
    const PREFIXES: &[&str] = &["138", "139", "137", "135", "186", "158", "159", "150"];
    format!(
        "{}{:04}{:04}",
        PREFIXES[n % PREFIXES.len()],
        (n * 37 + 1024) % 10000,
        (n * 7919 + 4321) % 10000
    )
}

/// One demo demand, ready to submit.
struct Pending<'o> {
    t_no: usize,
    unit: &'static str,
    fate: char,
    channel: Channel,
    /// The member who raises it, the clerk who enters it, or nobody (the public form).
    by: Option<&'o Actor>,
    input: DemandInput,
}

/// One submitted demo demand.
struct Made {
    id: i64,
    /// Where it was raised.
    unit: &'static str,
    fate: char,
    submitter: Option<i64>,
}

impl Services {
    /// The demo demands; runs after the matters exist.
    pub(super) async fn load_demo_demands(&self, org: &Org<'_>) -> ServiceResult<()> {
        check_topics().map_err(ServiceError::Internal)?;
        let categories: HashMap<String, i64> = self
            .demand_categories()
            .await?
            .into_iter()
            .map(|c| (c.code, c.id))
            .collect();
        let reasons: HashMap<String, i64> = self
            .decline_reasons()
            .await?
            .into_iter()
            .map(|r| (r.code, r.id))
            .collect();
        let mut pending = Vec::new();
        for (t_no, t) in TOPICS.iter().enumerate() {
            for (i, fate) in t.fates.chars().enumerate() {
                let unit = t.units[i % t.units.len()];
                let n = pending.len();
                let (input, channel, by) =
                    self.demo_demand_input(org, t, i, n, unit, &categories)?;
                pending.push(Pending {
                    t_no,
                    unit,
                    fate,
                    channel,
                    by,
                    input,
                });
            }
        }

        // Each symposium and leader's visit is recorded once, with all it yielded.
        let mut ids: Vec<Option<i64>> = vec![None; pending.len()];
        let mut occasions: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (k, p) in pending.iter().enumerate() {
            if matches!(p.channel, Channel::Symposium | Channel::Visit) {
                occasions
                    .entry((p.channel.code(), p.unit))
                    .or_default()
                    .push(k);
            }
        }
        for rows in occasions.values() {
            let first = &pending[rows[0]];
            let by = first.by.ok_or_else(|| {
                ServiceError::Internal("demo data: an occasion without a clerk".into())
            })?;
            let inputs: Vec<DemandInput> = rows.iter().map(|k| pending[*k].input.clone()).collect();
            let recorded = self.record_offline(by, first.channel, &inputs, "").await?;
            for (k, id) in rows.iter().zip(recorded) {
                ids[*k] = Some(id);
            }
        }
        // The rest one by one, as they came.
        for (k, p) in pending.iter().enumerate() {
            if ids[k].is_none() {
                let sent = self
                    .submit_demand(p.by, p.channel, &p.input, None, vec![])
                    .await?;
                ids[k] = Some(sent.id);
            }
        }

        for (t_no, t) in TOPICS.iter().enumerate() {
            let made: Vec<Made> = pending
                .iter()
                .zip(&ids)
                .filter(|(p, _)| p.t_no == t_no)
                .map(|(p, id)| Made {
                    id: id.unwrap_or_default(),
                    unit: p.unit,
                    fate: p.fate,
                    submitter: p.by.filter(|_| !p.channel.is_offline()).map(Actor::id),
                })
                .collect();
            self.drive_demo_topic(org, t, t_no, &made, &reasons).await?;
        }
        Ok(())
    }

    /// The `i`-th demand of topic `t`, the `n`-th of the demo: its input, channel and who
    /// submits it (a member, nobody for the public form, or the clerk who enters it).
    fn demo_demand_input<'o>(
        &self,
        org: &'o Org<'_>,
        t: &Topic,
        i: usize,
        n: usize,
        unit: &'static str,
        categories: &HashMap<String, i64>,
    ) -> ServiceResult<(DemandInput, Channel, Option<&'o Actor>)> {
        let channel = CHANNELS[n % CHANNELS.len()];
        let (title, body) = t.says[i % t.says.len()];
        let unit_name = org.name(unit);
        let body = body.replace("{unit}", unit_name);
        let closing = CLOSINGS[(n / 3) % CLOSINGS.len()];
        let today = self.clock.today();
        let days_ago = |k: i64| shift_working_days(self, today, -k).to_string();
        let unit_no = org.units.get(unit).copied().unwrap_or(0) as usize;
        let leader = match subsidiary(unit) {
            "s1" => "马振华（股份公司党委书记、董事长）",
            "s2" => "郑海军（矿业公司总经理）",
            "s3" => "罗建平（实业公司党委书记）",
            _ => "王建国（集团党委书记）",
        };
        let mut details = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            details.insert(k.to_string(), v);
        };
        let mut contact = String::new();
        let mut anonymous = false;
        let body = match channel {
            Channel::Hotline => {
                let number = phone(n);
                put("caller_number", number.clone());
                put(
                    "called_at",
                    format!(
                        "{} {:02}:{:02}",
                        days_ago((n % 4) as i64),
                        8 + n % 12,
                        (n * 17) % 60
                    ),
                );
                contact = number;
                format!("来电职工反映：{body}{closing}")
            }
            Channel::Mailbox => {
                put("letter_date", days_ago(2 + (n % 6) as i64));
                if n.is_multiple_of(2) {
                    contact = format!("{}职工 {}", unit_name, phone(n));
                }
                format!("{body}{closing}")
            }
            Channel::SuggestionBox => {
                let boxes: &[&str] = if subsidiary(unit) == "s2" && unit != "s2_ore" {
                    &["井口值班室意见箱", "一号门岗意见箱"]
                } else {
                    BOXES
                };
                put("box", boxes[n % boxes.len()].to_string());
                put("opened_on", days_ago(1 + (n % 5) as i64));
                format!("（意见箱纸条，未署名）{body}")
            }
            Channel::Questionnaire => {
                let year = today.format("%Y");
                let name = match t.cat {
                    "canteen" => "职工食堂满意度问卷".to_string(),
                    "transport" => "通勤班车乘坐需求调查".to_string(),
                    "health" => "职工健康服务需求问卷".to_string(),
                    _ if n.is_multiple_of(2) => format!("{year}年职工需求大调查"),
                    _ => "“我为群众办实事”意见征集问卷".to_string(),
                };
                put("questionnaire", name);
                format!("问卷开放题填写：{body}")
            }
            Channel::Symposium => {
                // One symposium per unit: the same date, place and leader for its demands.
                put("held_on", days_ago(3 + (unit_no % 7) as i64));
                put("place", format!("{unit_name}职工活动室"));
                put("leader", leader.to_string());
                put(
                    "attendees",
                    ATTENDEES[unit_no % ATTENDEES.len()].to_string(),
                );
                format!("座谈会上职工提出：{body}")
            }
            Channel::Visit => {
                put("held_on", days_ago(1 + (unit_no % 4) as i64));
                put("place", format!("{unit_name}生产现场"));
                put("leader", leader.to_string());
                if unit_no.is_multiple_of(2) {
                    put("attendees", "工会、人力资源部负责人陪同".to_string());
                }
                format!("领导走访时职工反映：{body}")
            }
            Channel::Online | Channel::Mobile | Channel::Api => format!("{body}{closing}"),
        };
        let by = if channel.is_offline() {
            // Symposium and visit records are kept by the unit admin who organised them.
            Some(if matches!(channel, Channel::Symposium | Channel::Visit) {
                org.admin(unit)?
            } else {
                org.clerk(unit)?
            })
        } else if channel != Channel::Api && n % 8 == 3 {
            // The public form, without signing in.
            None
        } else {
            let people = org.members(unit, None)?;
            let who = people[(n * 7 + i) % people.len()];
            if channel != Channel::Api && n % 5 == 1 {
                anonymous = true;
            } else if n.is_multiple_of(3) {
                contact = phone(n + 1000);
            }
            Some(who)
        };
        let input = DemandInput {
            title: title.to_string(),
            body,
            unit_id: pick(org.units, unit)?,
            category_id: categories.get(t.cat).copied(),
            contact,
            anonymous,
            channel_details: details,
        };
        Ok((input, channel, by))
    }

    /// Co-signs, then takes each demand of a topic to its fate: transfers first, then merges
    /// (while the demands they merge into are still open), then the rest.
    async fn drive_demo_topic(
        &self,
        org: &Org<'_>,
        t: &Topic,
        t_no: usize,
        made: &[Made],
        reasons: &HashMap<String, i64>,
    ) -> ServiceResult<()> {
        let step = |action: &str, text: String| StepInput {
            action: action.to_string(),
            text,
            ..Default::default()
        };
        let transferred = |f: char| "TUVWB".contains(f);
        // The demand a duplicate merges into: the first of the topic raised at the same unit
        // that stays where it is.
        let lead_of = |d: &Made| {
            made.iter()
                .find(|m| m.unit == d.unit && m.fate != 'M' && !transferred(m.fate))
                .ok_or_else(|| {
                    ServiceError::Internal(format!("demo data: nothing to merge {} into", d.id))
                })
        };

        // 附议: the first demand of a bigger topic gathers a few co-signers, and so do some
        // of those still waiting.
        for (i, d) in made.iter().enumerate() {
            let count = if i == 0 && made.len() >= 4 {
                2 + t_no % 4
            } else if d.fate == 'S' && i % 3 == 1 {
                1 + t_no % 2
            } else {
                0
            };
            if count == 0 {
                continue;
            }
            let people = org.members(d.unit, d.submitter)?;
            for k in 0..count.min(people.len()) {
                self.cosign(people[(t_no + 3 * k) % people.len()], d.id)
                    .await?;
            }
        }

        // 转办 to the unit in charge, which may accept, answer, adopt or send it back.
        for d in made.iter().filter(|d| transferred(d.fate)) {
            let to = pick(org.units, t.to)?;
            let text = format!("该事项由{}负责，转其办理。", org.name(t.to));
            let input = StepInput {
                to_unit_id: Some(to),
                ..step("transfer", text)
            };
            self.demand_step(org.clerk(d.unit)?, d.id, &input).await?;
            let there = org.clerk(t.to)?;
            match d.fate {
                'U' => {
                    self.demand_step(there, d.id, &step("accept", String::new()))
                        .await?;
                }
                'V' => {
                    self.demand_step(there, d.id, &step("answer", t.answer.into()))
                        .await?;
                }
                'W' => self.demo_adopt(org, t, d.id, t.to).await?,
                'B' => {
                    let text = format!(
                        "经核实，该事项属于{}职责范围，退回原单位办理。",
                        org.name(d.unit)
                    );
                    self.demand_step(there, d.id, &step("send_back", text))
                        .await?;
                }
                _ => {}
            }
        }

        // 合并 the same complaint from different people.
        for d in made.iter().filter(|d| d.fate == 'M') {
            let lead = lead_of(d)?;
            let text = format!(
                "与第{}号诉求反映的是同一问题，合并办理，您将随该诉求一并收到答复。",
                lead.id
            );
            let input = StepInput {
                merge_into: Some(lead.id),
                ..step("merge", text)
            };
            self.demand_step(org.clerk(d.unit)?, d.id, &input).await?;
        }

        for (i, d) in made.iter().enumerate() {
            let clerk = org.clerk(d.unit)?;
            // Some are accepted first and answered later, some answered straight away.
            if matches!(d.fate, 'C') || (matches!(d.fate, 'R' | 'A') && i % 2 == 0) {
                self.demand_step(clerk, d.id, &step("accept", String::new()))
                    .await?;
            }
            match d.fate {
                'R' => {
                    let answer = t.answer.replace("{unit}", org.name(d.unit));
                    self.demand_step(clerk, d.id, &step("answer", answer))
                        .await?;
                }
                'A' => self.demo_adopt(org, t, d.id, d.unit).await?,
                'D' => {
                    let (code, text) = t.decline;
                    let input = StepInput {
                        decline_reason_id: reasons.get(code).copied(),
                        ..step("decline", text.into())
                    };
                    self.demand_step(clerk, d.id, &input).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Adopts a demand now at `unit` into the topic's matter, by the unit admin over both (the
    /// group's when the matter lies outside the subsidiary).
    async fn demo_adopt(&self, org: &Org<'_>, t: &Topic, id: i64, unit: &str) -> ServiceResult<()> {
        let (matter_id, matter_unit) =
            org.matters.get(t.matter).copied().ok_or_else(|| {
                ServiceError::Internal(format!("demo data: no matter {}", t.matter))
            })?;
        let unit_path = org.path(unit)?;
        let matter_path = org.path(matter_unit)?;
        let mut by = org.admin(unit)?;
        if !(by.reads(matter_path) && by.handles_demands(unit_path)) {
            by = org.actor("unitadmin")?;
        }
        let input = StepInput {
            action: "adopt".into(),
            text: format!(
                "您反映的问题已纳入“{}”实事项目统一办理，办理进展可在实事清单中查看。",
                t.matter
            ),
            matter_id: Some(matter_id),
            ..Default::default()
        };
        self.demand_step(by, id, &input).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_complete() {
        assert_eq!(check_topics(), Ok(()));
        let total: usize = TOPICS.iter().map(|t| t.fates.len()).sum();
        assert!((250..=350).contains(&total), "{total} demo demands");
    }
}
