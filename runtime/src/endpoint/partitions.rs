//! AWS partition table and the `aws.partition` lookup.
//!
//! The table carries the facts of the published partitions data (ids, region
//! regexes, known regions, outputs). Regional overrides of the outputs are
//! supported by the lookup; the current data has none.

use std::collections::BTreeMap;

use super::Value;

/// Per-partition outputs exposed to rules by `aws.partition`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outputs {
    pub name: &'static str,
    pub dns_suffix: &'static str,
    pub dual_stack_dns_suffix: &'static str,
    pub supports_fips: bool,
    pub supports_dual_stack: bool,
    pub implicit_global_region: &'static str,
}

/// Region-level override of some outputs (all fields optional).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RegionOverride {
    pub dns_suffix: Option<&'static str>,
    pub dual_stack_dns_suffix: Option<&'static str>,
    pub supports_fips: Option<bool>,
    pub supports_dual_stack: Option<bool>,
}

#[derive(Debug)]
pub(crate) struct Partition {
    pub id: &'static str,
    pub region_regex: &'static str,
    pub regions: &'static [&'static str],
    pub overrides: &'static [(&'static str, RegionOverride)],
    pub outputs: Outputs,
}

pub(crate) static PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        regions: &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "aws-global",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "me-west-1",
            "mx-central-1",
            "sa-east-1",
            "sa-west-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
        overrides: &[],
        outputs: Outputs {
            name: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-east-1",
        },
    },
    Partition {
        id: "aws-cn",
        region_regex: r"^cn\-\w+\-\d+$",
        regions: &["aws-cn-global", "cn-north-1", "cn-northwest-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "cn-northwest-1",
        },
    },
    Partition {
        id: "aws-eusc",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        regions: &["eusc-de-east-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            dual_stack_dns_suffix: "api.amazonwebservices.eu",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "eusc-de-east-1",
        },
    },
    Partition {
        id: "aws-iso",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        regions: &["aws-iso-global", "us-iso-east-1", "us-iso-west-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            dual_stack_dns_suffix: "api.aws.ic.gov",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-iso-east-1",
        },
    },
    Partition {
        id: "aws-iso-b",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        regions: &["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_dns_suffix: "api.aws.scloud",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-isob-east-1",
        },
    },
    Partition {
        id: "aws-iso-e",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        regions: &["aws-iso-e-global", "eu-isoe-west-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "eu-isoe-west-1",
        },
    },
    Partition {
        id: "aws-iso-f",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        regions: &["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_dns_suffix: "api.aws.hci.ic.gov",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-isof-south-1",
        },
    },
    Partition {
        id: "aws-us-gov",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        regions: &["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"],
        overrides: &[],
        outputs: Outputs {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            supports_fips: true,
            supports_dual_stack: true,
            implicit_global_region: "us-gov-west-1",
        },
    },
];

/// Resolves a region to its partition: exact region id first, then the
/// partition region regexes, then the `aws` partition as a fallback.
pub(crate) fn partition(region: &str) -> Value {
    let by_id = PARTITIONS.iter().find(|p| p.regions.contains(&region));
    let by_regex = || PARTITIONS.iter().find(|p| regex_is_match(p.region_regex, region));
    let fallback = || PARTITIONS.iter().find(|p| p.id == "aws");
    match by_id.or_else(by_regex).or_else(fallback) {
        Some(p) => outputs_value(p, region),
        None => Value::None,
    }
}

fn outputs_value(p: &Partition, region: &str) -> Value {
    let o = p.outputs;
    let ov = p.overrides.iter().find(|(r, _)| *r == region).map(|(_, ov)| *ov).unwrap_or_default();
    let mut m = BTreeMap::new();
    let s = |v: &str| Value::String(v.to_string());
    m.insert("name".to_string(), s(o.name));
    m.insert("dnsSuffix".to_string(), s(ov.dns_suffix.unwrap_or(o.dns_suffix)));
    m.insert("dualStackDnsSuffix".to_string(), s(ov.dual_stack_dns_suffix.unwrap_or(o.dual_stack_dns_suffix)));
    m.insert("supportsFIPS".to_string(), Value::Bool(ov.supports_fips.unwrap_or(o.supports_fips)));
    m.insert("supportsDualStack".to_string(), Value::Bool(ov.supports_dual_stack.unwrap_or(o.supports_dual_stack)));
    m.insert("implicitGlobalRegion".to_string(), s(o.implicit_global_region));
    Value::Object(m)
}

// ---------------------------------------------------------------------------
// A tiny backtracking regex matcher, enough for partition region regexes:
// anchors, literals, escapes (\d \w \s and escaped punctuation), `.`,
// classes `[a-z\d-]`, groups with alternation, and the quantifiers
// `* + ? {n} {n,} {n,m}`. A pattern that fails to parse matches nothing.

/// Inputs longer than this never match; it bounds the matcher's recursion.
const MAX_INPUT: usize = 256;

pub(crate) fn regex_is_match(pattern: &str, input: &str) -> bool {
    let Some(alts) = parse_regex(pattern) else {
        return false;
    };
    let s: Vec<char> = input.chars().collect();
    if s.len() > MAX_INPUT {
        return false;
    }
    let group = Node::Group(alts);
    (0..=s.len()).any(|start| match_node(&group, &s, start, &mut |_| true))
}

#[derive(Debug)]
enum Node {
    Char(char),
    Any,
    Class(bool, Vec<ClassItem>),
    Start,
    End,
    Group(Vec<Vec<Piece>>),
}

#[derive(Debug)]
enum ClassItem {
    Range(char, char),
    Digit,
    Word,
    Space,
}

impl ClassItem {
    fn matches(&self, c: char) -> bool {
        match self {
            ClassItem::Range(lo, hi) => (*lo..=*hi).contains(&c),
            ClassItem::Digit => c.is_ascii_digit(),
            ClassItem::Word => c.is_ascii_alphanumeric() || c == '_',
            ClassItem::Space => c.is_ascii_whitespace(),
        }
    }
}

#[derive(Debug)]
struct Piece {
    node: Node,
    min: usize,
    max: Option<usize>,
}

/// Whether the matcher understands `pattern`.
#[cfg(test)]
pub(crate) fn regex_is_valid(pattern: &str) -> bool {
    parse_regex(pattern).is_some()
}

fn parse_regex(pattern: &str) -> Option<Vec<Vec<Piece>>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let alts = parse_alts(&chars, &mut pos, 0)?;
    (pos == chars.len()).then_some(alts)
}

fn parse_alts(c: &[char], pos: &mut usize, depth: usize) -> Option<Vec<Vec<Piece>>> {
    // Depth limit keeps hostile patterns from exhausting the stack.
    if depth > 32 {
        return None;
    }
    let mut alts = vec![Vec::new()];
    while let Some(&ch) = c.get(*pos) {
        let node = match ch {
            ')' => break,
            '|' => {
                *pos += 1;
                alts.push(Vec::new());
                continue;
            }
            '(' => {
                *pos += 1;
                if c.get(*pos..*pos + 2) == Some(&['?', ':']) {
                    *pos += 2;
                }
                let inner = parse_alts(c, pos, depth + 1)?;
                if c.get(*pos) != Some(&')') {
                    return None;
                }
                *pos += 1;
                Node::Group(inner)
            }
            '[' => {
                *pos += 1;
                parse_class(c, pos)?
            }
            '\\' => {
                *pos += 1;
                let e = *c.get(*pos)?;
                *pos += 1;
                match shorthand(e) {
                    Some(item) => Node::Class(false, vec![item]),
                    None if e.is_ascii_alphanumeric() => return None,
                    None => Node::Char(e),
                }
            }
            '^' => {
                *pos += 1;
                Node::Start
            }
            '$' => {
                *pos += 1;
                Node::End
            }
            '.' => {
                *pos += 1;
                Node::Any
            }
            '*' | '+' | '?' | '{' => return None,
            _ => {
                *pos += 1;
                Node::Char(ch)
            }
        };
        let (min, max) = parse_quantifier(c, pos)?;
        alts.last_mut()?.push(Piece { node, min, max });
    }
    Some(alts)
}

fn shorthand(e: char) -> Option<ClassItem> {
    match e {
        'd' => Some(ClassItem::Digit),
        'w' => Some(ClassItem::Word),
        's' => Some(ClassItem::Space),
        _ => None,
    }
}

fn parse_class(c: &[char], pos: &mut usize) -> Option<Node> {
    let negated = c.get(*pos) == Some(&'^');
    if negated {
        *pos += 1;
    }
    let mut items = Vec::new();
    loop {
        let ch = *c.get(*pos)?;
        *pos += 1;
        let lo = match ch {
            ']' if !items.is_empty() => return Some(Node::Class(negated, items)),
            '\\' => {
                let e = *c.get(*pos)?;
                *pos += 1;
                if let Some(item) = shorthand(e) {
                    items.push(item);
                    continue;
                }
                if e.is_ascii_alphanumeric() {
                    return None;
                }
                e
            }
            _ => ch,
        };
        // A range `a-z`, unless the `-` is the last char before `]`.
        if c.get(*pos) == Some(&'-') && c.get(*pos + 1).is_some_and(|n| *n != ']') {
            let hi = match *c.get(*pos + 1)? {
                '\\' => *c.get(*pos + 2).filter(|e| !e.is_ascii_alphanumeric())?,
                h => h,
            };
            *pos += if c.get(*pos + 1) == Some(&'\\') { 3 } else { 2 };
            if hi < lo {
                return None;
            }
            items.push(ClassItem::Range(lo, hi));
        } else {
            items.push(ClassItem::Range(lo, lo));
        }
    }
}

fn parse_quantifier(c: &[char], pos: &mut usize) -> Option<(usize, Option<usize>)> {
    let q = match c.get(*pos) {
        Some('*') => (0, None),
        Some('+') => (1, None),
        Some('?') => (0, Some(1)),
        Some('{') => {
            let close = c.get(*pos..)?.iter().position(|ch| *ch == '}')? + *pos;
            let body: String = c.get(*pos + 1..close)?.iter().collect();
            let (lo, hi) = match body.split_once(',') {
                None => {
                    let n = body.parse().ok()?;
                    (n, Some(n))
                }
                Some((lo, "")) => (lo.parse().ok()?, None),
                Some((lo, hi)) => (lo.parse().ok()?, Some(hi.parse().ok()?)),
            };
            if hi.is_some_and(|h| h < lo) {
                return None;
            }
            *pos = close;
            (lo, hi)
        }
        _ => return Some((1, Some(1))),
    };
    *pos += 1;
    Some(q)
}

type Cont<'a> = &'a mut dyn FnMut(usize) -> bool;

fn match_seq(seq: &[Piece], s: &[char], i: usize, k: Cont) -> bool {
    match seq.split_first() {
        None => k(i),
        Some((p, rest)) => match_piece(p, 0, s, i, &mut |j| match_seq(rest, s, j, k)),
    }
}

/// Greedy repetition: try one more occurrence first, then stopping here.
fn match_piece(p: &Piece, count: usize, s: &[char], i: usize, k: Cont) -> bool {
    if !matches!(p.max, Some(m) if count >= m) {
        let more = match_node(&p.node, s, i, &mut |j| {
            if j == i {
                // An empty occurrence cannot make progress; stop repeating.
                count + 1 >= p.min && k(j)
            } else {
                match_piece(p, count + 1, s, j, k)
            }
        });
        if more {
            return true;
        }
    }
    count >= p.min && k(i)
}

fn match_node(node: &Node, s: &[char], i: usize, k: Cont) -> bool {
    match node {
        Node::Char(c) => s.get(i) == Some(c) && k(i + 1),
        Node::Any => i < s.len() && k(i + 1),
        Node::Class(neg, items) => s.get(i).is_some_and(|c| items.iter().any(|it| it.matches(*c)) != *neg) && k(i + 1),
        Node::Start => i == 0 && k(i),
        Node::End => i == s.len() && k(i),
        Node::Group(alts) => alts.iter().any(|alt| match_seq(alt, s, i, k)),
    }
}
