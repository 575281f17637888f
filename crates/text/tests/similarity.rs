//! Behaviour of the public API on small Chinese fixtures.

use shishi_text::{
    LshIndex, MinHasher, NUM_PERM, PARAMS_VERSION, SHINGLE_LEN, SIGNATURE_BYTES, Signature,
    SignatureError, estimate_jaccard, jaccard, normalize, signature,
};

const NOISE: &str = "A市A3区魏家坡小区楼下的烧烤店每天营业到凌晨两点，油烟和噪音严重扰民，\
    多次向城管投诉无果，希望相关部门尽快处理！";
/// NOISE re-posted: two characters changed, other punctuation, full-width digit, spaces.
const NOISE_REPOST: &str = "Ａ市Ａ３区魏家坡小区楼下的烧烤店每天营业到凌晨２点 油烟和噪音严重扰民。\
    多次向城管反映无果,希望相关部门尽快处理!!";
const WAGES: &str = "反映A7县顺宇电子公司拖欠员工工资三个月的问题，公司一直以资金周转困难为由推脱，\
    劳动监察大队也没有给出处理结果。";
const SCHOOL: &str = "A5区星沙街道新建小区配套学校至今没有建好，孩子每天上学要走四公里，\
    请教育局尽快解决学位不足的问题。";
const ROAD: &str =
    "K8县春华镇金鼎村的组级公路还是泥巴路，一下雨就无法通行，村民希望政府帮助硬化道路。";

fn index_of(texts: &[(i64, &str)]) -> LshIndex {
    let mut index = LshIndex::new();
    for &(id, text) in texts {
        index.insert(id, &signature(text));
    }
    index
}

#[test]
fn normalization() {
    assert_eq!(normalize("Ａ市Ａ３区：噪音扰民！"), "a市a3区噪音扰民");
    assert_eq!(
        normalize("请问【2019年】“学位”（不足）？……——"),
        "请问2019年学位不足"
    );
    assert_eq!(normalize(NOISE), normalize(&NOISE.replace('，', " , ")));
}

#[test]
fn identical_texts_have_similarity_one() {
    assert_eq!(jaccard(NOISE, NOISE), 1.0);
    assert_eq!(estimate_jaccard(&signature(NOISE), &signature(NOISE)), 1.0);
    // Differences that normalisation removes do not count.
    let reformatted = "Ａ市Ａ３区 魏家坡小区楼下的烧烤店每天营业到凌晨两点。油烟和噪音严重扰民；\
        多次向城管投诉无果 希望相关部门尽快处理";
    assert_eq!(jaccard(NOISE, reformatted), 1.0);
}

#[test]
fn near_duplicate_is_found_and_unrelated_are_not() {
    let index = index_of(&[(1, NOISE), (2, WAGES), (3, SCHOOL), (4, ROAD)]);
    let exact = jaccard(NOISE, NOISE_REPOST);
    assert!(exact > 0.6 && exact < 1.0, "exact Jaccard {exact}");

    let found = index.query(&signature(NOISE_REPOST), 10);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 1);
    assert!(
        (found[0].1 - exact).abs() < 0.15,
        "estimate {} vs exact {exact}",
        found[0].1
    );

    for (text, id) in [(WAGES, 2), (SCHOOL, 3), (ROAD, 4)] {
        let found = index.query(&signature(text), 10);
        assert_eq!(found, vec![(id, 1.0)], "only itself for id {id}");
    }
    let other = "A2区芙蓉路公交站台没有遮雨棚，雨天候车很辛苦，建议增加班次。";
    assert!(index.query(&signature(other), 10).is_empty());
}

#[test]
fn results_are_sorted_limited_and_thresholded() {
    let mut index = index_of(&[(1, NOISE), (2, NOISE_REPOST), (3, WAGES)]);
    let found = index.query(&signature(NOISE), 10);
    assert_eq!(found.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 2]);
    assert!(found[0].1 >= found[1].1);
    assert_eq!(index.query(&signature(NOISE), 1).len(), 1);
    assert!(index.query(&signature(NOISE), 0).is_empty());
    index.set_threshold(0.99);
    assert_eq!(index.query(&signature(NOISE), 10).len(), 1);
}

#[test]
fn remove_and_replace() {
    let mut index = index_of(&[(1, NOISE), (2, WAGES), (3, SCHOOL)]);
    assert_eq!(index.len(), 3);
    assert!(index.remove(1));
    assert!(!index.remove(1));
    assert!(!index.contains(1));
    assert_eq!(index.len(), 2);
    assert!(index.query(&signature(NOISE_REPOST), 10).is_empty());
    assert_eq!(index.query(&signature(WAGES), 10), vec![(2, 1.0)]);

    // Inserting under an existing id replaces the old text.
    index.insert(2, &signature(ROAD));
    assert_eq!(index.len(), 2);
    assert!(index.query(&signature(WAGES), 10).is_empty());
    assert_eq!(index.query(&signature(ROAD), 10), vec![(2, 1.0)]);

    // A freed slot is reused without leaking the old entry.
    index.insert(7, &signature(NOISE));
    assert_eq!(index.query(&signature(NOISE), 10), vec![(7, 1.0)]);
}

#[test]
fn insert_many_matches_insert() {
    let texts = [
        (10, NOISE),
        (11, WAGES),
        (12, SCHOOL),
        (13, ROAD),
        (14, NOISE_REPOST),
    ];
    let single = index_of(&texts);
    let sigs: Vec<(i64, Signature)> = texts.iter().map(|&(id, t)| (id, signature(t))).collect();
    let mut bulk = LshIndex::new();
    // Includes a repeat of id 11 within the batch: the later signature wins.
    let wrong = signature(ROAD);
    bulk.insert_many(std::iter::once((11, &wrong)).chain(sigs.iter().map(|(id, s)| (*id, s))));
    assert_eq!(bulk.len(), single.len());
    for (_, t) in texts {
        assert_eq!(
            bulk.query(&signature(t), 10),
            single.query(&signature(t), 10),
            "{t}"
        );
    }
}

#[test]
fn short_and_empty_texts() {
    let h = MinHasher::new();
    let short = h.sign("噪音");
    assert!(!short.is_empty());
    assert_eq!(estimate_jaccard(&short, &h.sign("噪音！")), 1.0);
    assert_eq!(jaccard("噪音", "噪音"), 1.0);

    let empty = signature("，。！？ …");
    assert!(empty.is_empty());
    assert_eq!(empty, Signature::EMPTY);
    assert_eq!(estimate_jaccard(&empty, &empty), 0.0);
    assert_eq!(jaccard("", ""), 0.0);

    let mut index = index_of(&[(1, "噪音"), (2, "")]);
    assert_eq!(index.len(), 2);
    assert!(index.query(&empty, 10).is_empty());
    assert_eq!(index.query(&short, 10), vec![(1, 1.0)]);
    assert!(index.remove(2));
    assert_eq!(index.len(), 1);
}

#[test]
fn signature_bytes_round_trip() {
    let sig = signature(NOISE);
    let bytes = sig.to_bytes();
    assert_eq!(bytes.len(), SIGNATURE_BYTES);
    assert_eq!(bytes.len(), 4 + 4 * NUM_PERM);
    assert_eq!(Signature::from_bytes(&bytes), Ok(sig));
    assert_eq!(
        Signature::from_bytes(&Signature::EMPTY.to_bytes()),
        Ok(Signature::EMPTY)
    );
}

#[test]
fn bad_signature_bytes_are_errors() {
    let bytes = signature(NOISE).to_bytes();
    assert_eq!(
        Signature::from_bytes(&[]),
        Err(SignatureError::WrongLength { got: 0 })
    );
    assert_eq!(
        Signature::from_bytes(&bytes[..bytes.len() - 1]),
        Err(SignatureError::WrongLength {
            got: SIGNATURE_BYTES - 1
        })
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Signature::from_bytes(&longer),
        Err(SignatureError::WrongLength { .. })
    ));
    let mut other_version = bytes;
    other_version[..4].copy_from_slice(&(PARAMS_VERSION + 1).to_le_bytes());
    assert_eq!(
        Signature::from_bytes(&other_version),
        Err(SignatureError::WrongVersion {
            got: PARAMS_VERSION + 1
        })
    );
}

/// Signatures are stored; if this fails, a parameter changed. Bump PARAMS_VERSION, plan
/// the re-signing of stored demands, and only then update the expected values.
#[test]
fn signature_is_stable() {
    assert_eq!((PARAMS_VERSION, NUM_PERM, SHINGLE_LEN), (1, 128, 2));
    assert_eq!(signature(NOISE).values()[NUM_PERM - 1], 0x0096_3ab0);
    let sig = signature(NOISE);
    assert_eq!(
        &sig.values()[..6],
        &[
            0x0427_b43e,
            0x0a93_b33a,
            0x02e2_f737,
            0x0358_5023,
            0x03ba_eb8c,
            0x168e_e266
        ],
        "{:08x?}",
        &sig.values()[..6]
    );
    let short = signature("噪音");
    assert_eq!(
        &short.values()[..3],
        &[0xaee2_2a95, 0x7c10_02f4, 0xdc59_d2e2],
        "{:08x?}",
        &short.values()[..3]
    );
}

#[test]
fn index_can_be_shared_behind_a_lock() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<LshIndex>();
    send_sync::<Signature>();
    send_sync::<MinHasher>();
}
