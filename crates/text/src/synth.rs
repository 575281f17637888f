//! Deterministic synthetic demands for the benchmark: composed from a small vocabulary of
//! phrases in the style of real 留言 (anonymised place names like A3区, a greeting, who is
//! writing, two to four sentences on one topic, a request), with slot values (places,
//! estates, numbers, dates) varied per demand so that unrelated demands overlap about as
//! little as real ones do. Every tenth demand re-posts an earlier one with small edits.

use crate::normalize::mix64;

pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(mix64(seed ^ 0x005E_ED0F_5EED))
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[rustfmt::skip]
const TOWNS: &[&str] = &[
    "东湖", "望城", "星沙", "洞井", "雨花", "桂花", "黎托", "高桥", "圭塘", "暮云", "坪塘", "含浦",
    "岳麓", "咸嘉", "望月", "观沙", "天顶", "梅溪", "莲花", "雷锋", "白沙", "金霞", "湘湖", "马栏",
    "捞刀", "沙坪", "丁字", "桥驿", "黄花", "榔梨", "泉塘", "安沙", "北山", "路口", "金井", "江背",
    "跳马", "同升", "东岸", "学士",
];
const TOWN_KINDS: &[&str] = &["街道", "镇", "乡", "街道"];
#[rustfmt::skip]
const ROADS: &[&str] = &[
    "人民", "解放", "五一", "芙蓉", "韶山", "劳动", "湘江", "万家丽", "东二环", "车站", "远大", "桐梓坡",
    "枫林", "麓山", "金星", "银盆", "岳华", "书院", "黄兴", "蔡锷", "八一", "营盘", "东风", "湘府",
    "中意", "洪山", "福元", "开福", "三一", "凉塘", "楚府", "联丰", "桂庄", "曲塘",
];
const ROAD_KINDS: &[&str] = &["路", "大道", "街", "中路", "东路"];
#[rustfmt::skip]
const ESTATES: &[&str] = &[
    "碧桂园", "万科城", "恒大华府", "保利花园", "中海国际", "融科东南海",
    "金地三千府", "绿地中央广场", "华润凤凰城", "富力城", "新城新世界", "美的城",
    "梅溪四季", "魏家坡", "裕园", "雅园", "半岛蓝湾", "海德公元",
    "大都汇", "幸福家园", "阳光花园", "金色家园", "锦绣华庭", "滨江新城",
    "湘江一号", "望府名邸", "天心景苑", "东方明珠", "梧桐苑", "桂花苑",
    "米兰春天", "山水湾", "月湖兰庭", "香樟苑",
];
const ESTATE_KINDS: &[&str] = &["小区", "花园", "家园", "小区", "社区"];
#[rustfmt::skip]
const VILLAGES: &[&str] = &[
    "莲湖", "茶场", "金鼎", "七里", "枫树", "白石", "新塘", "高岭", "双桥", "竹山", "荷叶", "长冲",
];
#[rustfmt::skip]
const COMPANIES: &[&str] = &[
    "顺宇显示技术有限公司", "宏达建筑工程有限公司", "鑫源物流有限公司",
    "华泰电子厂", "金牛餐饮管理公司", "诚信物业管理公司",
    "天成房地产开发有限公司", "永兴机械制造厂", "蓝天环保科技公司",
    "盛世家政服务公司", "恒通汽车销售公司", "万顺商贸有限公司",
];
const SCHOOLS: &[&str] = &[
    "第一中学",
    "实验小学",
    "育才学校",
    "明德中学",
    "外国语学校",
    "雅礼中学",
];
#[rustfmt::skip]
const GREETINGS: &[&str] = &[
    "尊敬的领导：您好！", "尊敬的胡书记：您好！", "尊敬的市长：",
    "您好，", "领导好！", "",
    "尊敬的A市政府领导：您们好！", "",
];
#[rustfmt::skip]
const INTROS: &[&str] = &[
    "我是{c}的业主，", "本人系{d}{t}{v}村民，", "我是居住在{d}{t}的居民，",
    "我们是{c}的{n}户业主，", "我是{co}的一名普通员工，", "本人在{d}{r}经营一家小店，",
    "我是{s}的一名学生家长，", "",
];
#[rustfmt::skip]
const REQUESTS: &[&str] = &[
    "希望相关部门尽快处理！", "恳请有关部门给予解决，谢谢！", "请政府出面协调解决。",
    "请领导重视并督促整改。", "望相关部门依法查处，还我们一个公道。", "请问这种情况合法吗？",
    "希望能给个明确的答复。", "请尽快派人来现场查看。", "恳请领导为我们做主！",
    "希望早日解决，谢谢！", "请相关部门严格执法。", "盼复！",
];

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "居民", "业主", "村民", "家长", "老人", "孩子", "学生", "员工",
    "司机", "商户", "租户", "工人", "病人", "游客", "邻居", "保安",
    "领导", "干部", "记者", "律师", "政府", "街道", "社区", "村委",
    "物业", "城管", "交警", "派出所", "住建局", "环保局", "教育局", "卫健委",
    "人社局", "市场监管", "信访办", "国土局", "规划局", "水务局", "供电局", "燃气公司",
    "小区", "楼道", "电梯", "车库", "绿化带", "人行道", "马路", "路口",
    "桥梁", "河道", "水渠", "菜市场", "超市", "医院", "诊所", "学校",
    "幼儿园", "公园", "广场", "工地", "厂房", "仓库", "门面", "宿舍",
    "农田", "山林", "鱼塘", "垃圾站", "公厕", "停车场", "噪音", "油烟",
    "污水", "垃圾", "灰尘", "异味", "积水", "裂缝", "漏水", "停电",
    "停水", "断网", "拥堵", "事故", "火灾", "隐患", "纠纷", "投诉",
    "举报", "罚款", "押金", "补贴", "工资", "社保", "公积金", "房贷",
    "租金", "学费", "医药费", "违约金", "赔偿款", "拖欠", "克扣", "侵占",
    "强拆", "违建", "占道", "偷排", "超载", "扰民", "推诿", "敷衍",
    "拖延", "刁难", "乱收费", "虚假宣传", "偷工减料", "无证经营", "恶意欠薪", "暴力执法",
    "以权谋私", "反映", "咨询", "建议", "请求", "要求", "希望", "恳请",
    "督促", "核查", "整改", "处理", "协调", "答复", "解决", "落实",
    "取缔", "拆除", "修复", "更换", "安装", "公开", "退还", "补偿",
    "赔付", "追究", "监管", "今年", "去年", "上个月", "最近", "每天",
    "晚上", "凌晨", "周末", "节假日", "雨天", "夏天", "冬天", "开学前",
    "春节后", "多年来", "至今", "一直", "多次", "反复", "始终", "严重",
    "非常", "极其", "已经", "仍然", "根本", "完全", "明显", "长期",
    "随意", "私自", "擅自", "公然", "突然", "多名", "全体", "大量",
    "部分", "附近", "周边", "影响", "威胁", "损害", "耽误", "困扰",
    "导致", "造成", "引起", "涉及", "违反", "符合", "属于", "承诺",
    "声称", "表示", "拒绝", "同意", "答应", "联系", "找到", "合同",
    "协议", "发票", "收据", "证明", "文件", "政策", "规定", "标准",
    "手续", "档案", "户口", "房产证", "营业执照", "施工许可证", "检测报告", "会议纪要",
    "公示", "通知", "回复",
];

/// One topic: title patterns and the sentences a demand on it draws from.
struct Topic {
    titles: &'static [&'static str],
    sentences: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        titles: &["{d}{c}楼下烧烤店油烟扰民", "反映{r}夜宵摊油烟噪音问题"],
        sentences: &[
            "楼下的烧烤店每天营业到凌晨{h}点，油烟直接飘进{b}栋住户家里。",
            "夏天根本不敢开窗，老人小孩被呛得咳嗽。",
            "我们多次找城管反映，来了一次之后又照旧营业。",
            "店门口占道摆了{n}张桌子，喝酒划拳的声音非常大。",
            "附近住户已经联名投诉过{m}次，一直没有结果。",
        ],
    },
    Topic {
        titles: &["{d}{c}物业乱收费", "{c}物业公司服务差还涨价"],
        sentences: &[
            "物业公司今年突然把物业费从每平米{p}元涨到{q}元，没有召开业主大会。",
            "小区电梯经常坏，垃圾几天才清一次，物业却只知道收钱。",
            "地下车库停车费每月{y}元，比周边小区高出一大截。",
            "业主要求公开公共收益账目，物业一直推脱。",
            "不交物业费就不给办门禁卡，这种做法是否合法？",
        ],
    },
    Topic {
        titles: &["{co}拖欠员工工资", "反映{co}拖欠{m}个月工资"],
        sentences: &[
            "公司已经拖欠我们{n}名员工{m}个月的工资，合计{y}元。",
            "去劳动监察大队投诉过，老板一直说资金周转困难。",
            "公司还长期不给员工缴纳社保和公积金。",
            "每天加班到晚上{h}点，加班费一分没有。",
            "现在公司准备搬走，我们担心工资再也拿不回来。",
        ],
    },
    Topic {
        titles: &["{d}{r}道路破损严重", "{r}修路工程拖了{m}个月"],
        sentences: &[
            "{r}从{date}开始封闭施工，到现在还没有完工。",
            "路面坑坑洼洼，下雨天积水没过脚踝，电动车经常摔倒。",
            "施工围挡占了大半个车道，早晚高峰堵得水泄不通。",
            "晚上路灯也不亮，行人过马路非常危险。",
            "施工单位晚上{h}点以后还在作业，噪音吵得居民无法入睡。",
        ],
    },
    Topic {
        titles: &["{d}{s}学位不足", "{c}孩子上学难问题"],
        sentences: &[
            "小区交房已经{n}年，配套的学校至今没有建好。",
            "孩子被划到{t}的学校，每天上学要走{n}公里。",
            "购房时开发商承诺的学区房，现在却说没有学位。",
            "今年秋季有{q}多名适龄儿童面临无学可上。",
            "学校周边交通混乱，接送孩子非常不安全。",
        ],
    },
    Topic {
        titles: &["{d}{t}{v}村污水直排", "{co}偷排污水污染河道"],
        sentences: &[
            "工厂每天晚上偷偷往河里排放黑色污水，气味刺鼻。",
            "河里的鱼已经死了一大片，村民的稻田也被污染了。",
            "向环保部门举报过{n}次，每次检查前工厂都提前停产。",
            "附近的井水已经不能喝了，村民只能买桶装水。",
            "希望环保局在夜间突击检查，查封排污口。",
        ],
    },
    Topic {
        titles: &["{c}开发商延期交房", "{d}{c}逾期{m}个月未交房"],
        sentences: &[
            "合同约定{date}交房，现在工地已经停工{m}个月。",
            "我们每月还着{y}元的房贷，还要在外面租房住。",
            "开发商拒绝按合同支付逾期违约金。",
            "售楼部已经人去楼空，找不到负责人。",
            "住建局说正在协调，但一直没有实际进展。",
        ],
    },
    Topic {
        titles: &["{d}{t}农村道路硬化问题", "{v}村水泥路和自来水到户问题"],
        sentences: &[
            "村里的组级公路还是泥巴路，一下雨就无法通行。",
            "自来水管网已经铺到隔壁村，我们组却一直没有通水。",
            "村民自筹了{y}元，希望政府补贴一部分。",
            "老人看病和孩子上学都要走{n}里山路。",
            "村委会说项目已经报上去了，但{m}年了还没有动静。",
        ],
    },
    Topic {
        titles: &["{d}{r}公交线路调整不合理", "建议增开{r}到{t}的公交"],
        sentences: &[
            "原来的{n}路公交车取消后，附近居民出行非常不便。",
            "早高峰等车要{q}分钟，车上挤得根本上不去。",
            "末班车{h}点就停运，下晚班的人只能打车。",
            "建议增加班次或者开通社区微循环巴士。",
            "公交站台没有遮雨棚，雨天候车很辛苦。",
        ],
    },
    Topic {
        titles: &["{c}违章搭建无人管", "举报{c}{b}栋顶楼违建"],
        sentences: &[
            "{b}栋顶楼业主私自搭建了{n}十平米的阳光房。",
            "一楼住户把院子围起来建成了门面出租。",
            "违建已经造成楼下住户墙面渗水开裂。",
            "向街道和城管多次举报，至今没有拆除。",
            "别人看到没人管，也跟着搭建，小区越来越乱。",
        ],
    },
    Topic {
        titles: &["{d}{c}停车难", "{r}乱停车堵塞消防通道"],
        sentences: &[
            "小区只有{q}个车位，却有一千多户业主。",
            "车辆停满了消防通道，一旦发生火灾后果不堪设想。",
            "外来车辆随意进出，保安也不管理。",
            "建议在附近空地规划建设公共停车场。",
            "交警贴了罚单也没用，第二天照样停满。",
        ],
    },
    Topic {
        titles: &["{d}医保报销问题咨询", "关于{d}城乡居民医保缴费的咨询"],
        sentences: &[
            "本人在{t}卫生院住院花费{y}元，报销比例比去年低了很多。",
            "异地就医备案手续太复杂，跑了{n}趟还没办好。",
            "请问灵活就业人员的医保如何续缴？",
            "家里老人患有慢性病，门诊费用能否纳入报销？",
            "社区工作人员说政策调整了，但说不清楚具体标准。",
        ],
    },
];

fn fill(template: &str, rng: &mut Rng, ctx: &Ctx) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        match name {
            "d" => out.push_str(&ctx.district),
            "t" => out.push_str(&ctx.town),
            "r" => out.push_str(&ctx.road),
            "c" => out.push_str(&ctx.estate),
            "v" => out.push_str(&ctx.village),
            "co" => out.push_str(&ctx.company),
            "s" => out.push_str(&ctx.school),
            "n" => out.push_str(&(2 + rng.below(30)).to_string()),
            "m" => out.push_str(&(2 + rng.below(22)).to_string()),
            "h" => out.push_str(&(1 + rng.below(4)).to_string()),
            "b" => out.push_str(&(1 + rng.below(40)).to_string()),
            "p" => out.push_str(&format!("1.{}", rng.below(10))),
            "q" => out.push_str(&(20 + rng.below(900)).to_string()),
            "y" => out.push_str(&(100 * (5 + rng.below(5000))).to_string()),
            "date" => {
                let (y, m, d) = (2016 + rng.below(5), 1 + rng.below(12), 1 + rng.below(28));
                out.push_str(&format!("{y}年{m}月{d}日"))
            }
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

struct Ctx {
    district: String,
    town: String,
    road: String,
    estate: String,
    village: String,
    company: String,
    school: String,
}

/// The original demand number `seed`, never a re-post.
fn original(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let letter = char::from(b'A' + rng.below(12) as u8);
    let district = format!("{letter}{}{}", 1 + rng.below(9), ["区", "县"][rng.below(2)]);
    let town = format!("{}{}", rng.pick(TOWNS), rng.pick(TOWN_KINDS));
    let ctx = Ctx {
        road: format!("{}{}", rng.pick(ROADS), rng.pick(ROAD_KINDS)),
        estate: format!("{}{}", rng.pick(ESTATES), rng.pick(ESTATE_KINDS)),
        village: rng.pick(VILLAGES).to_string(),
        company: format!("{letter}市{}", rng.pick(COMPANIES)),
        school: format!("{}{}", rng.pick(TOWNS), rng.pick(SCHOOLS)),
        district,
        town,
    };
    let topic = &TOPICS[rng.below(TOPICS.len())];
    let mut text = fill(rng.pick(topic.titles), &mut rng, &ctx);
    text.push('\n');
    text.push_str(rng.pick(GREETINGS));
    text.push_str(&fill(rng.pick(INTROS), &mut rng, &ctx));
    // Two to four of the topic's sentences, in their order, each at most once.
    let mut chosen: Vec<usize> = (0..topic.sentences.len()).collect();
    for i in (1..chosen.len()).rev() {
        chosen.swap(i, rng.below(i + 1));
    }
    chosen.truncate(1 + rng.below(3));
    chosen.sort_unstable();
    for i in chosen {
        text.push_str(&fill(topic.sentences[i], &mut rng, &ctx));
        // What makes each real demand its own: the particulars, told in the writer's words.
        // A run of the civic vocabulary gives the same character statistics.
        for _ in 0..1 + rng.below(2) {
            for _ in 0..5 + rng.below(6) {
                text.push_str(rng.pick(WORDS));
            }
            text.push_str(["，", "。", "！", "；"][rng.below(4)]);
        }
    }
    text.push_str(rng.pick(REQUESTS));
    text
}

/// A re-post: the same complaint with a few characters changed, punctuation and width
/// altered, a sentence added or the district written differently.
pub(crate) fn edit(text: &str, rng: &mut Rng) -> String {
    const SUBSTITUTES: &[char] = &['的', '了', '是', '在', '有', '我', '们', '这', '那', '已'];
    let chars: Vec<char> = text.chars().collect();
    let changes = 1 + rng.below(5);
    let mut out: Vec<char> = chars.clone();
    for _ in 0..changes {
        let i = rng.below(out.len());
        out[i] = SUBSTITUTES[rng.below(SUBSTITUTES.len())];
    }
    let mut s: String = out
        .into_iter()
        .map(|c| match c {
            '0'..='9' if rng.below(2) == 0 => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            '，' if rng.below(3) == 0 => ' ',
            '！' => '!',
            _ => c,
        })
        .collect();
    match rng.below(3) {
        0 => s.push_str("已经反映多次了，请尽快处理，谢谢！"),
        1 => s.insert_str(0, "再次反映："),
        _ => {}
    }
    s
}

/// Deterministic synthetic demand number `id`: every tenth (from 10 on) re-posts an earlier
/// original with small edits, the rest are originals.
pub fn synthetic_demand(id: u64) -> String {
    match base_of(id) {
        Some(base) => edit(&original(base), &mut Rng::new(id ^ 0xD0B1_E000)),
        None => original(id),
    }
}

/// The original an edited re-post copies, if `id` is a re-post.
pub(crate) fn base_of(id: u64) -> Option<u64> {
    if id < 10 || !id.is_multiple_of(10) {
        return None;
    }
    let mut rng = Rng::new(id ^ 0xBA5E);
    // Ids ending in 9 are originals; pick one of the previous thousand or so.
    let back = rng.below((id / 10).min(100) as usize) as u64;
    Some(id - 1 - 10 * back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demands_are_deterministic_and_reposts_are_similar() {
        assert_eq!(synthetic_demand(12345), synthetic_demand(12345));
        assert_ne!(synthetic_demand(12345), synthetic_demand(12346));
        let base = base_of(1230).expect("1230 is a re-post");
        assert!(base_of(base).is_none());
        assert!(crate::jaccard(&synthetic_demand(1230), &synthetic_demand(base)) > 0.6);
    }
}
