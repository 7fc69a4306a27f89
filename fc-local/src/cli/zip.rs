//! A small ZIP writer: deflated entries with Unix permissions, which is all a function package
//! needs (`bootstrap` must stay executable).

use std::io::Write;

use flate2::Compression;
use flate2::write::DeflateEncoder;

/// One file in the archive.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) name: &'a str,
    pub(crate) data: &'a [u8],
    pub(crate) mode: u32,
}

fn u16_le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32_le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn too_big(what: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "{what} is too large for a ZIP archive without ZIP64"
    ))
}

/// The archive's bytes.
pub(crate) fn write(entries: &[Entry<'_>]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    // 1980-01-01 00:00, the earliest DOS time: archives are the same for the same inputs.
    let (dos_time, dos_date) = (0u16, (1 << 5) | 1);
    for entry in entries {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(entry.data)?;
        let compressed = encoder.finish()?;
        let crc = crc32fast::hash(entry.data);
        let offset = u32::try_from(out.len()).map_err(|_| too_big("the archive"))?;
        let size = u32::try_from(entry.data.len()).map_err(|_| too_big(entry.name))?;
        let packed = u32::try_from(compressed.len()).map_err(|_| too_big(entry.name))?;
        let name_len = u16::try_from(entry.name.len()).map_err(|_| too_big("a file name"))?;

        u32_le(&mut out, 0x0403_4b50);
        u16_le(&mut out, 20); // version needed: 2.0 (deflate)
        u16_le(&mut out, 0x0800); // names are UTF-8
        u16_le(&mut out, 8); // deflate
        u16_le(&mut out, dos_time);
        u16_le(&mut out, dos_date);
        u32_le(&mut out, crc);
        u32_le(&mut out, packed);
        u32_le(&mut out, size);
        u16_le(&mut out, name_len);
        u16_le(&mut out, 0);
        out.extend_from_slice(entry.name.as_bytes());
        out.extend_from_slice(&compressed);

        u32_le(&mut central, 0x0201_4b50);
        u16_le(&mut central, 0x0314); // made by: Unix, 2.0 — so the mode below is read
        u16_le(&mut central, 20);
        u16_le(&mut central, 0x0800);
        u16_le(&mut central, 8);
        u16_le(&mut central, dos_time);
        u16_le(&mut central, dos_date);
        u32_le(&mut central, crc);
        u32_le(&mut central, packed);
        u32_le(&mut central, size);
        u16_le(&mut central, name_len);
        u16_le(&mut central, 0); // extra
        u16_le(&mut central, 0); // comment
        u16_le(&mut central, 0); // disk
        u16_le(&mut central, 0); // internal attributes
        u32_le(&mut central, (0o100_000 | entry.mode) << 16);
        u32_le(&mut central, offset);
        central.extend_from_slice(entry.name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| too_big("the archive"))?;
    let central_size = u32::try_from(central.len()).map_err(|_| too_big("the directory"))?;
    let count = u16::try_from(entries.len()).map_err(|_| too_big("the entry count"))?;
    out.extend_from_slice(&central);
    u32_le(&mut out, 0x0605_4b50);
    u16_le(&mut out, 0);
    u16_le(&mut out, 0);
    u16_le(&mut out, count);
    u16_le(&mut out, count);
    u32_le(&mut out, central_size);
    u32_le(&mut out, central_offset);
    u16_le(&mut out, 0);
    Ok(out)
}
