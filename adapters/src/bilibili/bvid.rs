//! BV ↔ av conversion with Bilibili's public algorithm, so that `av170001`
//! and `BV17x411w7KC` name the same target (and the same output file) before
//! any request is made.

/// The 58 symbols of the BV alphabet, in Bilibili's order.
const ALPHABET: &[u8; 58] = b"FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf";
/// Constant the aid is XORed with.
const XOR_CODE: u64 = 23_442_827_791_579;
/// Low 51 bits: the aid space.
const MASK_CODE: u64 = (1 << 51) - 1;
/// Bit set above every aid before encoding.
const MAX_AID: u64 = 1 << 51;

/// Encodes an aid (1 ≤ aid < 2^51) as its 12-character BV id.
///
/// ```
/// use adapters::bilibili::bvid::av_to_bv;
/// assert_eq!(av_to_bv(170001).as_deref(), Some("BV17x411w7KC"));
/// assert_eq!(av_to_bv(0), None);
/// ```
pub fn av_to_bv(aid: u64) -> Option<String> {
    if aid == 0 || aid >= MAX_AID {
        return None;
    }
    let mut bytes = *b"BV1000000000";
    let mut tmp = (MAX_AID | aid) ^ XOR_CODE;
    let mut i = bytes.len() - 1;
    while tmp > 0 && i >= 3 {
        bytes[i] = ALPHABET[(tmp % 58) as usize];
        tmp /= 58;
        i -= 1;
    }
    bytes.swap(3, 9);
    bytes.swap(4, 7);
    String::from_utf8(bytes.to_vec()).ok()
}

/// Decodes a BV id (`BV1` + 9 alphabet symbols, the prefix in any case) to
/// its aid; `None` for anything that is not a well-formed BV id.
///
/// ```
/// use adapters::bilibili::bvid::bv_to_av;
/// assert_eq!(bv_to_av("BV1xx411c7mD"), Some(2));
/// assert_eq!(bv_to_av("BV1xx411c7m"), None);
/// ```
pub fn bv_to_av(bvid: &str) -> Option<u64> {
    let bytes = bvid.as_bytes();
    if bytes.len() != 12 || !bytes[..2].eq_ignore_ascii_case(b"BV") || bytes[2] != b'1' {
        return None;
    }
    let mut b = [0u8; 12];
    b.copy_from_slice(bytes);
    b.swap(3, 9);
    b.swap(4, 7);
    let mut tmp: u64 = 0;
    for c in &b[3..] {
        let digit = ALPHABET.iter().position(|a| a == c)? as u64;
        tmp = tmp.checked_mul(58)?.checked_add(digit)?;
    }
    let aid = (tmp & MASK_CODE) ^ XOR_CODE;
    // Only ids that round-trip are real BV ids (the encoding has slack bits).
    (aid > 0 && av_to_bv(aid).is_some_and(|bv| bv[3..] == bvid[3..])).then_some(aid)
}

/// The canonical spelling of a BV id: `BV` prefix upper case, the rest as is
/// (the symbols are case-sensitive).
pub(crate) fn normalize_bv(bvid: &str) -> Option<String> {
    bv_to_av(bvid)?;
    Some(format!("BV{}", &bvid[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_pairs_round_trip() {
        for (aid, bv) in [
            (2, "BV1xx411c7mD"),
            (170001, "BV17x411w7KC"),
            (99_999_999, "BV1y7411Q7Eq"),
            ((1u64 << 51) - 1, "BV1aPPTfmvQq"),
        ] {
            assert_eq!(av_to_bv(aid).as_deref(), Some(bv));
            assert_eq!(bv_to_av(bv), Some(aid));
        }
        assert_eq!(av_to_bv(1 << 51), None);
        assert_eq!(bv_to_av("bv1xx411c7mD"), Some(2));
        assert_eq!(
            normalize_bv("bv1xx411c7mD").as_deref(),
            Some("BV1xx411c7mD")
        );
        assert_eq!(bv_to_av("BV1xx411c7m0"), None, "0 is not in the alphabet");
        assert_eq!(bv_to_av("BV1日本語4"), None);
    }
}
