//! `cargo bench --bench render`: times the two big print jobs of a 2,000-voter community.
//! Plain `Instant` timing (no criterion) to keep the dependency tree and the CI build small.

use std::time::{Duration, Instant};

use huanjie::report::{Card, Notice, Rendered, ReportError, Table, render_cards, render_notice};

const VOTERS: usize = 2000;
const RUNS: usize = 5;

fn voter_list() -> Notice {
    let names = ["王珺", "李喆", "张昇", "刘堃", "陈琍", "杨钰", "赵建国", "黄秀英", "周志强", "吴丽华"];
    Notice {
        title: "幸福里社区第十二届居民委员会选举选民名单公告".into(),
        subtitle: Some("（第一号）".into()),
        meta: vec![("选举日期".into(), "2026年12月20日".into())],
        paragraphs: vec!["经本社区居民选举委员会审核，现将选民名单予以公布。".into()],
        table: Some(Table {
            headers: ["序号", "姓名", "性别", "居民小组", "住址"].map(String::from).to_vec(),
            rows: (0..VOTERS)
                .map(|i| {
                    vec![
                        (i + 1).to_string(),
                        names[i % names.len()].to_string(),
                        if i % 2 == 0 { "男" } else { "女" }.to_string(),
                        format!("第{}居民小组", i % 12 + 1),
                        format!("幸福里{}号楼{}单元{}室", i % 40 + 1, i % 4 + 1, 101 + i % 30),
                    ]
                })
                .collect(),
            col_widths: None,
        }),
        footer: vec!["注：对名单有异议的，请于五日内提出。".into()],
        qr: Some("https://huanjie.example/e/42/voters".into()),
        signature_block: Some(("幸福里社区居民选举委员会".into(), "2026年11月25日".into())),
    }
}

fn cards() -> Vec<Card> {
    (0..VOTERS)
        .map(|i| Card {
            title: "选民证".into(),
            heading: "幸福里社区第十二届居民委员会选举".into(),
            name: format!("李{}", ["喆", "堃", "秀英", "建国"][i % 4]),
            id_masked: format!("1101**********{i:04}"),
            community: "朝阳区幸福里社区".into(),
            extra: vec![("选民编号".into(), format!("{:05}", i + 1))],
            voting_code: format!("K7Q2-MX9D-4RTA-{i:04}"),
            qr: format!("https://huanjie.example/vote#code=K7Q2-MX9D-4RTA-{i:04}"),
            address: "https://huanjie.example/vote".into(),
            checkin_no: (i + 1).to_string(),
        })
        .collect()
}

fn time(label: &str, f: impl Fn() -> Result<Rendered, ReportError>) -> Result<(), ReportError> {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let r = f()?;
        times.push(start.elapsed());
        last = Some(r);
    }
    times.sort();
    if let Some(r) = last {
        println!(
            "{label:<28} median {:>7.1} ms  min {:>7.1} ms  max {:>7.1} ms  ({} pages, {} KiB)",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[RUNS - 1].as_secs_f64() * 1e3,
            r.pages,
            r.pdf.len() / 1024
        );
    }
    Ok(())
}

fn main() -> Result<(), ReportError> {
    let list = voter_list();
    let cards = cards();
    time("voter list, 2000 rows", || render_notice(&list))?;
    time("voter cards, 2000 cards", || render_cards(&cards))?;
    Ok(())
}
