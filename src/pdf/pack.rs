//! Packs a finished PDF's small objects into compressed object streams (PDF 1.5), with a
//! cross-reference stream in place of the table. krilla writes every structure element,
//! annotation, outline item and destination as a plain object; a long book has a hundred
//! thousand of them, which compress to a tenth in object streams. Streams stay as they are.
//! On the way it puts the pages in the book's order (`PageOrder`: krilla has them in the order
//! they were written) and labels them.

use std::borrow::Cow;
use std::io::Write;

use anyhow::{Context, bail};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use rayon::prelude::*;

use crate::typeset::frame::PageOrder;

/// Objects per object stream: large enough to compress well, small enough that a reader
/// looking up one object inflates little.
const PER_STREAM: usize = 200;

/// An object's number and what is between `obj` and `endobj`.
type Object<'a> = (u32, Cow<'a, [u8]>);

/// Rewrites `pdf` (one revision, a classic cross-reference table, no encryption).
/// `labels` is the catalog's `/PageLabels` number tree, for the pages in the book's order;
/// `identifier` the book's, which goes into the XMP metadata as `dc:identifier`.
pub(crate) fn pack(pdf: &[u8], order: PageOrder, labels: &str, identifier: &str) -> anyhow::Result<Vec<u8>> {
    let xref_at = start_xref(pdf).context("no startxref")?;
    let (offsets, trailer) = read_xref(pdf, xref_at).context("unreadable cross-reference table")?;
    // Each object runs from its offset to the next object's (or the table).
    let mut by_offset: Vec<(usize, u32)> = offsets.iter().enumerate().filter_map(|(n, o)| o.map(|o| (o, n as u32))).collect();
    by_offset.sort_unstable();
    let Some(&(first, _)) = by_offset.first() else { bail!("no objects") };
    let mut plain: Vec<Object> = Vec::new();
    let mut streams: Vec<(u32, Cow<[u8]>)> = Vec::new();
    for (i, &(at, n)) in by_offset.iter().enumerate() {
        let end = by_offset.get(i + 1).map_or(xref_at, |&(next, _)| next);
        let raw = pdf.get(at..end).context("object outside the file")?;
        let body = object_body(raw, n).with_context(|| format!("object {n} is malformed"))?;
        if body.ends_with(b"endstream") {
            let raw = with_identifier(raw, identifier).map_or(Cow::Borrowed(raw), Cow::Owned);
            streams.push((n, raw));
        } else {
            plain.push((n, Cow::Borrowed(body)))
        }
    }
    plain.sort_unstable_by_key(|(n, _)| *n);
    reorder_pages(&mut plain, &trailer, order, labels)?;

    let size = offsets.len() as u32;
    let chunks: Vec<&[Object]> = plain.chunks(PER_STREAM).collect();
    let packed: Vec<Vec<u8>> = chunks.par_iter().enumerate().map(|(k, chunk)| object_stream(size + k as u32, chunk)).collect::<std::io::Result<_>>()?;

    // Entries: (type, field 2, field 3) as the cross-reference stream has them.
    let xref_number = size + packed.len() as u32;
    let mut entries = vec![(0u8, 0u32, 0xffffu16); xref_number as usize + 1];
    let mut out = Vec::with_capacity(pdf.len() / 2);
    out.extend_from_slice(&pdf[..first]);
    for (n, raw) in &streams {
        entries[*n as usize] = (1, offset(out.len())?, 0);
        out.extend_from_slice(raw);
    }
    for (k, (chunk, data)) in chunks.iter().zip(&packed).enumerate() {
        let number = size + k as u32;
        for (index, (n, _)) in chunk.iter().enumerate() {
            entries[*n as usize] = (2, number, index as u16);
        }
        entries[number as usize] = (1, offset(out.len())?, 0);
        out.extend_from_slice(data);
    }
    entries[xref_number as usize] = (1, offset(out.len())?, 0);
    let start = out.len();
    let mut table = Vec::with_capacity(entries.len() * 7);
    for (kind, a, b) in &entries {
        table.push(*kind);
        table.extend_from_slice(&a.to_be_bytes());
        table.extend_from_slice(&b.to_be_bytes());
    }
    let table = deflate(&table)?;
    write!(out, "{xref_number} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Filter/FlateDecode/Length {}{}>>\nstream\n", xref_number + 1, table.len(), trailer)?;
    out.extend_from_slice(&table);
    write!(out, "\nendstream\nendobj\nstartxref\n{start}\n%%EOF\n")?;
    Ok(out)
}

/// Puts the page tree's kids in the book's order (`order`) and adds the labels to the
/// catalog. `plain` is sorted by object number.
fn reorder_pages(plain: &mut [Object], trailer: &str, order: PageOrder, labels: &str) -> anyhow::Result<()> {
    let object = |plain: &[Object], n: u32| plain.binary_search_by_key(&n, |(m, _)| *m).ok().context("a missing object");
    let root = reference(trailer.as_bytes(), b"/Root").context("the trailer names no catalog")?;
    let catalog = object(plain, root)?;
    let body = &plain[catalog].1;
    if find_key(body, b"/PageLabels").is_some() {
        bail!("the catalog has page labels already");
    }
    let pages = object(plain, reference(body, b"/Pages").context("the catalog has no page tree")?)?;
    let end = body.iter().rposition(|&c| c == b'>').filter(|&e| e > 0 && body[e - 1] == b'>').context("the catalog is not a dictionary")?;
    let mut labelled = body[..end - 1].to_vec();
    // krilla writes `/MarkInfo <</Marked true /Suspects false>>`; poppler takes `/Suspects` for
    // an object of the wrong type and says "Syntax Error" on every PDF. False is its default.
    if let Some(at) = find_last(&labelled, b"/Suspects false") {
        labelled.drain(at..at + b"/Suspects false".len());
    }
    labelled.extend_from_slice(format!("/PageLabels {labels}>>").as_bytes());
    plain[catalog].1 = Cow::Owned(labelled);

    let body = &plain[pages].1;
    let kids_at = find_key(body, b"/Kids").context("the page tree has no kids")?;
    let open = kids_at + body[kids_at..].iter().position(|&c| c == b'[').context("no kids array")?;
    let close = open + body[open..].iter().position(|&c| c == b']').context("no kids array")?;
    let words: Vec<&[u8]> = body[open + 1..close].split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect();
    if !words.len().is_multiple_of(3) || words.chunks(3).any(|r| r[2] != b"R") {
        bail!("the page tree's kids are not all references");
    }
    let mut kids: Vec<&[&[u8]]> = words.chunks(3).collect();
    if order.front > kids.len() {
        bail!("{} pages to move in a book of {}", order.front, kids.len());
    }
    order.to_book(&mut kids);
    let mut moved = body[..=open].to_vec();
    for (i, kid) in kids.iter().enumerate() {
        if i > 0 {
            moved.push(b' ');
        }
        moved.extend_from_slice(&kid.join(&b' '));
    }
    moved.extend_from_slice(&body[close..]);
    plain[pages].1 = Cow::Owned(moved);
    Ok(())
}

/// The XMP metadata stream object `raw` with `identifier` added as `dc:identifier` (krilla
/// writes only a hash of it, as the document id); `None` for any other object.
fn with_identifier(raw: &[u8], identifier: &str) -> Option<Vec<u8>> {
    let start = raw.windows(7).position(|w| w == b"stream\n")? + 7;
    let dict = std::str::from_utf8(&raw[..start]).ok()?;
    if !dict.contains("/Type/Metadata") || dict.contains("/Filter") {
        return None;
    }
    let end = start + find_last(&raw[start..], b"\nendstream")?;
    let xmp = std::str::from_utf8(&raw[start..end]).ok()?;
    let anchor = "</dc:format>";
    let at = xmp.find(anchor)? + anchor.len();
    let escaped = identifier.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let xmp = format!("{}<dc:identifier>{escaped}</dc:identifier>{}", &xmp[..at], &xmp[at..]);
    let length_at = dict.find("/Length ")? + "/Length ".len();
    let digits = dict[length_at..].len() - dict[length_at..].trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let dict = format!("{}{}{}", &dict[..length_at], xmp.len(), &dict[length_at + digits..]);
    Some([dict.as_bytes(), xmp.as_bytes(), &raw[end..]].concat())
}

/// Where `key` is in `dict` as a whole name.
fn find_key(dict: &[u8], key: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = dict[from..].windows(key.len()).position(|w| w == key) {
        let at = from + at;
        if dict.get(at + key.len()).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// The number of the object that `key`'s value in `dict` refers to (`n 0 R`).
fn reference(dict: &[u8], key: &[u8]) -> Option<u32> {
    let at = find_key(dict, key)? + key.len();
    let mut words = dict[at..].split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty());
    let number = std::str::from_utf8(words.next()?).ok()?.parse().ok()?;
    (words.next()? == b"0" && words.next()?.starts_with(b"R")).then_some(number)
}

fn offset(at: usize) -> anyhow::Result<u32> {
    u32::try_from(at).context("the PDF is over 4 GB")
}

/// The offset after the last `startxref`.
fn start_xref(pdf: &[u8]) -> Option<usize> {
    let tail = &pdf[pdf.len().saturating_sub(64)..];
    let at = find_last(tail, b"startxref")?;
    let digits = std::str::from_utf8(&tail[at + 9..]).ok()?.split_whitespace().next()?;
    digits.parse().ok()
}

/// The in-use objects' offsets by number, and the trailer's entries but /Size.
fn read_xref(pdf: &[u8], at: usize) -> Option<(Vec<Option<usize>>, String)> {
    let text = std::str::from_utf8(pdf.get(at..)?).ok()?;
    let mut lines = text.lines();
    if lines.next()?.trim() != "xref" {
        return None;
    }
    let mut header = lines.next()?.split_whitespace();
    let (from, count): (usize, usize) = (header.next()?.parse().ok()?, header.next()?.parse().ok()?);
    if from != 0 {
        return None;
    }
    let mut offsets = Vec::with_capacity(count);
    for _ in 0..count {
        let mut f = lines.next()?.split_whitespace();
        let (o, g, kind) = (f.next()?, f.next()?, f.next()?);
        offsets.push((kind == "n" && g == "00000").then(|| o.parse().ok()).flatten());
    }
    if lines.next()?.trim() != "trailer" {
        return None;
    }
    let rest: String = lines.collect::<Vec<_>>().join("\n");
    let dict = &rest[rest.find("<<")? + 2..rest.rfind(">>")?];
    Some((offsets, without_size(dict)?))
}

/// `dict` without its `/Size n` entry.
fn without_size(dict: &str) -> Option<String> {
    let at = dict.find("/Size")?;
    let after = dict[at + 5..].trim_start();
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    Some(format!("{}{}", &dict[..at], &after[digits..]))
}

/// What is between `n 0 obj` and `endobj`, trimmed.
fn object_body(raw: &[u8], n: u32) -> Option<&[u8]> {
    let head = format!("{n} 0 obj");
    if !raw.starts_with(head.as_bytes()) {
        return None;
    }
    let end = find_last(raw, b"endobj")?;
    Some(raw.get(head.len()..end)?.trim_ascii())
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Object `number`: an object stream of `objects`, their `n offset` pairs and then them.
fn object_stream(number: u32, objects: &[Object]) -> std::io::Result<Vec<u8>> {
    let mut index = String::new();
    let mut body = Vec::new();
    for (n, object) in objects {
        index.push_str(&format!("{n} {} ", body.len()));
        body.extend_from_slice(object);
        body.push(b'\n');
    }
    let first = index.len();
    let mut data = index.into_bytes();
    data.extend_from_slice(&body);
    let z = deflate(&data)?;
    let mut out = format!("{number} 0 obj\n<</Type/ObjStm/N {}/First {first}/Filter/FlateDecode/Length {}>>\nstream\n", objects.len(), z.len()).into_bytes();
    out.extend_from_slice(&z);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    Ok(out)
}

fn deflate(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut z = ZlibEncoder::new(Vec::with_capacity(data.len() / 4), Compression::new(6));
    z.write_all(data)?;
    z.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// A PDF as krilla lays one out: numbered objects, a table, a trailer.
    fn sample() -> Vec<u8> {
        let objects = [
            "1 0 obj\n<</Type/Catalog/Pages 2 0 R/Lang(zh-CN)>>\nendobj\n",
            "2 0 obj\n<</Type/Pages/Count 1/Kids[3 0 R]>>\nendobj\n",
            "3 0 obj\n<</Type/Page/Parent 2 0 R/Contents 4 0 R/Annots[(endobj inside a string)]>>\nendobj\n",
            "4 0 obj\n<</Length 8>>\nstream\nq 1 g Q\n\nendstream\nendobj\n",
        ];
        let mut pdf = b"%PDF-1.7\n%\x80\x80\x80\x80\n".to_vec();
        let mut table = String::from("xref\n0 5\n0000000000 65535 f \n");
        for o in objects {
            table.push_str(&format!("{:010} 00000 n \n", pdf.len()));
            pdf.extend_from_slice(o.as_bytes());
        }
        let at = pdf.len();
        pdf.extend_from_slice(format!("{table}trailer\n<</Size 5/Root 1 0 R/ID[(a)(b)]>>\nstartxref\n{at}\n%%EOF\n").as_bytes());
        pdf
    }

    const ONE_PAGE: &str = "<</Nums[0 <</S/D>>]>>";

    #[test]
    fn pages_written_last_move_to_the_front_and_the_catalog_gets_labels() {
        let mut plain: Vec<(u32, Cow<[u8]>)> = vec![
            (1, Cow::Borrowed(b"<</Type/Catalog/Pages 2 0 R/MarkInfo<</Marked true/Suspects false>>/PageMode/UseOutlines>>")),
            (2, Cow::Borrowed(b"<</Type /Pages\n/Count 4\n/Kids [10 0 R 11 0 R 12 0 R 13 0 R]>>")),
        ];
        reorder_pages(&mut plain, "/Root 1 0 R/ID[(a)(b)]", PageOrder { front: 2 }, "<</Nums[0 <</S/r>> 2 <</S/D>>]>>").unwrap();
        assert_eq!(String::from_utf8_lossy(&plain[0].1), "<</Type/Catalog/Pages 2 0 R/MarkInfo<</Marked true>>/PageMode/UseOutlines/PageLabels <</Nums[0 <</S/r>> 2 <</S/D>>]>>>>");
        assert_eq!(String::from_utf8_lossy(&plain[1].1), "<</Type /Pages\n/Count 4\n/Kids [12 0 R 13 0 R 10 0 R 11 0 R]>>");
        let mut fresh: Vec<(u32, Cow<[u8]>)> = vec![(1, Cow::Borrowed(b"<</Type/Catalog/Pages 2 0 R>>")), (2, Cow::Borrowed(b"<</Kids[3 0 R]>>"))];
        assert!(reorder_pages(&mut fresh, "/Root 1 0 R", PageOrder { front: 5 }, ONE_PAGE).is_err());
        let mut labelled: Vec<(u32, Cow<[u8]>)> = vec![(1, Cow::Borrowed(b"<</Pages 2 0 R/PageLabels 3 0 R>>")), (2, Cow::Borrowed(b"<</Kids[3 0 R]>>"))];
        assert!(reorder_pages(&mut labelled, "/Root 1 0 R", PageOrder::default(), ONE_PAGE).is_err(), "krilla's own labels would be shadowed");
    }

    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(data).read_to_end(&mut out).unwrap();
        out
    }

    /// The stream data of the object that starts at `at`.
    fn stream_at(pdf: &[u8], at: usize) -> (String, Vec<u8>) {
        let rest = &pdf[at..];
        let start = rest.windows(7).position(|w| w == b"stream\n").unwrap();
        let dict = String::from_utf8_lossy(&rest[..start]).into_owned();
        let length: usize = dict.split("/Length ").nth(1).unwrap().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
        (dict, rest[start + 7..start + 7 + length].to_vec())
    }

    #[test]
    fn small_objects_move_into_an_object_stream_and_streams_stay() {
        let pdf = pack(&sample(), PageOrder::default(), ONE_PAGE, "").unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7\n%\x80\x80\x80\x80\n"));
        let text = String::from_utf8_lossy(&pdf);
        let xref_at: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let (dict, table) = stream_at(&pdf, xref_at);
        assert!(dict.starts_with("6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]"), "{dict}");
        assert!(dict.contains("/Root 1 0 R/ID[(a)(b)]"), "{dict}");
        let entries: Vec<(u8, u32, u16)> = inflate(&table)
            .chunks(7)
            .map(|e| (e[0], u32::from_be_bytes([e[1], e[2], e[3], e[4]]), u16::from_be_bytes([e[5], e[6]])))
            .collect();
        assert_eq!(entries.len(), 7);
        assert_eq!(entries[0], (0, 0, 0xffff));
        // Objects 1–3 are in object stream 5, in order; 4 (a stream), 5 and 6 are in the file.
        assert_eq!(&entries[1..4], &[(2, 5, 0), (2, 5, 1), (2, 5, 2)]);
        for n in [4, 5, 6] {
            assert_eq!(entries[n].0, 1);
            assert!(pdf[entries[n].1 as usize..].starts_with(format!("{n} 0 obj").as_bytes()));
        }
        assert!(pdf[entries[4].1 as usize..].starts_with(b"4 0 obj\n<</Length 8>>\nstream\nq 1 g Q\n\nendstream"));
        let (dict, data) = stream_at(&pdf, entries[5].1 as usize);
        assert!(dict.contains("/Type/ObjStm/N 3"), "{dict}");
        let first: usize = dict.split("/First ").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let data = inflate(&data);
        let index: Vec<usize> = String::from_utf8_lossy(&data[..first]).split_whitespace().map(|n| n.parse().unwrap()).collect();
        assert_eq!(index.iter().step_by(2).copied().collect::<Vec<_>>(), [1, 2, 3]);
        let third = String::from_utf8_lossy(&data[first + index[5]..]);
        assert_eq!(third.trim(), "<</Type/Page/Parent 2 0 R/Contents 4 0 R/Annots[(endobj inside a string)]>>");
    }

    #[test]
    fn what_is_not_a_pdf_is_refused() {
        assert!(pack(b"not a pdf", PageOrder::default(), ONE_PAGE, "").is_err());
        let mut broken = sample();
        let at = broken.windows(5).position(|w| w == b"2 0 o").unwrap();
        broken[at] = b'9';
        assert!(pack(&broken, PageOrder::default(), ONE_PAGE, "").is_err(), "an object where the table says another is");
    }

    #[test]
    fn the_identifier_goes_into_the_xmp_and_its_length_follows() {
        let xmp = "<x:xmpmeta><rdf:RDF><rdf:Description><dc:format>application/pdf</dc:format></rdf:Description></rdf:RDF></x:xmpmeta>";
        let raw = format!("7 0 obj\n<</Length {}/Type/Metadata/Subtype/XML>>\nstream\n{xmp}\nendstream\nendobj\n", xmp.len());
        let out = String::from_utf8(with_identifier(raw.as_bytes(), "urn:isbn:978-7-1<2>&").unwrap()).unwrap();
        let added = "<dc:identifier>urn:isbn:978-7-1&lt;2&gt;&amp;</dc:identifier>";
        assert!(out.contains(&format!("</dc:format>{added}</rdf:Description>")), "{out}");
        assert!(out.contains(&format!("/Length {}/Type", xmp.len() + added.len())), "{out}");
        assert!(out.ends_with("\nendstream\nendobj\n"));
        // Other streams, and a compressed packet, are left as they are.
        assert!(with_identifier(b"8 0 obj\n<</Length 3>>\nstream\nabc\nendstream\nendobj\n", "x").is_none());
        assert!(with_identifier(raw.replace("/Subtype/XML", "/Subtype/XML/Filter/FlateDecode").as_bytes(), "x").is_none());
    }
}
