//! Checked access to a guest's linear memory.
//!
//! Everything a guest passes is untrusted: every read and write here checks bounds (in 64-bit
//! arithmetic, so that no offset or length can wrap) and alignment, and every failure is a
//! [`GuestError`] that the glue turns into an errno or a trap. Nothing here panics on guest input.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

/// What went wrong with a value the guest passed, in an argument or in its memory.
///
/// Each kind belongs to one errno class of the error rules ([`GuestError::errno_name`]); the glue
/// returns that errno to the guest, or traps, as the store's [`Policy`](crate::Policy) says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuestError {
    /// `len` bytes at `offset` are not all inside guest memory.
    OutOfBounds {
        /// The guest type being accessed.
        ty: &'static str,
        /// The guest address.
        offset: u32,
        /// The number of bytes accessed.
        len: u64,
    },
    /// A length, an element count times an element size, or a sum of lengths does not fit in the
    /// guest's 32-bit address space.
    LengthOverflow {
        /// The guest type being accessed.
        ty: &'static str,
    },
    /// A pointer to a type is not aligned as the type requires.
    Misaligned {
        /// The guest type being accessed.
        ty: &'static str,
        /// The guest address.
        offset: u32,
        /// The alignment the type requires.
        align: u32,
    },
    /// A value that is not a case of an enum, not a set of known flags, or not a valid union tag.
    InvalidValue {
        /// The guest type.
        ty: &'static str,
        /// The value found.
        value: u64,
    },
    /// Bytes that are not UTF-8 where the spec says string.
    InvalidUtf8 {
        /// The guest address of the string.
        offset: u32,
    },
    /// A result that does not fit the guest type, such as a length over `u32::MAX`.
    ResultOverflow {
        /// The guest type.
        ty: &'static str,
    },
    /// The function needs guest memory and the guest exports none.
    NoMemory,
}

impl GuestError {
    /// The name of the errno case this error maps to under the error rules: `fault`, `inval`,
    /// `ilseq` or `overflow`. A document whose error type has no such case gets a trap instead.
    pub fn errno_name(&self) -> &'static str {
        match self {
            GuestError::OutOfBounds { .. }
            | GuestError::LengthOverflow { .. }
            | GuestError::NoMemory => "fault",
            GuestError::Misaligned { .. } | GuestError::InvalidValue { .. } => "inval",
            GuestError::InvalidUtf8 { .. } => "ilseq",
            GuestError::ResultOverflow { .. } => "overflow",
        }
    }
}

impl fmt::Display for GuestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuestError::OutOfBounds { ty, offset, len } => write!(
                f,
                "{len} bytes of `{ty}` at {offset:#x} are out of bounds of guest memory"
            ),
            GuestError::LengthOverflow { ty } => {
                write!(f, "the length of `{ty}` overflows the guest address space")
            }
            GuestError::Misaligned { ty, offset, align } => {
                write!(f, "`{ty}` at {offset:#x} is not aligned to {align} bytes")
            }
            GuestError::InvalidValue { ty, value } => {
                write!(f, "{value} is not a valid `{ty}`")
            }
            GuestError::InvalidUtf8 { offset } => {
                write!(f, "the string at {offset:#x} is not valid UTF-8")
            }
            GuestError::ResultOverflow { ty } => {
                write!(f, "the result does not fit in `{ty}`")
            }
            GuestError::NoMemory => write!(f, "the guest exports no memory"),
        }
    }
}

impl std::error::Error for GuestError {}

/// A value with a fixed layout in guest memory: scalars, pointers and the types generated from a
/// witx document. The layout constants come from the document, never from hand-kept tables.
pub trait GuestType: Sized {
    /// The name of the type in the witx document (for error messages).
    const NAME: &'static str;
    /// Size in bytes in guest memory.
    const SIZE: u32;
    /// Alignment in bytes in guest memory.
    const ALIGN: u32;
    /// Reads the value from `bytes`, which holds exactly `SIZE` bytes.
    fn read_from(bytes: &[u8]) -> Result<Self, GuestError>;
    /// Writes the value into `bytes`, which holds exactly `SIZE` bytes.
    fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError>;
}

/// Reads the field of type `F` at byte `offset` of a record held in `bytes`.
#[inline]
pub fn read_field<F: GuestType>(bytes: &[u8], offset: u32) -> Result<F, GuestError> {
    let start = offset as usize;
    match bytes.get(start..start + F::SIZE as usize) {
        Some(b) => F::read_from(b),
        None => Err(GuestError::OutOfBounds {
            ty: F::NAME,
            offset,
            len: F::SIZE.into(),
        }),
    }
}

/// Writes `value` as the field at byte `offset` of a record held in `bytes`.
#[inline]
pub fn write_field<F: GuestType>(
    bytes: &mut [u8],
    offset: u32,
    value: &F,
) -> Result<(), GuestError> {
    let start = offset as usize;
    match bytes.get_mut(start..start + F::SIZE as usize) {
        Some(b) => value.write_to(b),
        None => Err(GuestError::OutOfBounds {
            ty: F::NAME,
            offset,
            len: F::SIZE.into(),
        }),
    }
}

macro_rules! scalar_guest_type {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl GuestType for $t {
            const NAME: &'static str = $name;
            const SIZE: u32 = std::mem::size_of::<$t>() as u32;
            const ALIGN: u32 = std::mem::size_of::<$t>() as u32;
            #[inline]
            fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
                match bytes.first_chunk() {
                    Some(b) => Ok(<$t>::from_le_bytes(*b)),
                    None => Err(GuestError::OutOfBounds { ty: $name, offset: 0, len: Self::SIZE.into() }),
                }
            }
            #[inline]
            fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
                match bytes.first_chunk_mut() {
                    Some(b) => {
                        *b = self.to_le_bytes();
                        Ok(())
                    }
                    None => Err(GuestError::OutOfBounds { ty: $name, offset: 0, len: Self::SIZE.into() }),
                }
            }
        }
    )*};
}

scalar_guest_type!(
    u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64",
    i8 => "s8", i16 => "s16", i32 => "s32", i64 => "s64",
    f32 => "f32", f64 => "f64",
);

impl GuestType for char {
    const NAME: &'static str = "char";
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    #[inline]
    fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
        let raw = u32::read_from(bytes)?;
        char::from_u32(raw).ok_or(GuestError::InvalidValue {
            ty: "char",
            value: raw.into(),
        })
    }
    #[inline]
    fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
        u32::from(*self).write_to(bytes)
    }
}

/// A scalar that crosses the wasm boundary as an `i32` or `i64`: integers, enums, flags and handles.
///
/// `lift` checks the raw bits (an enum case that does not exist, unknown flag bits, an integer
/// wider than its type are [`GuestError::InvalidValue`]); `lower` gives the bits back.
pub trait Scalar: Sized + Copy {
    /// Checks and converts the raw value the guest passed (zero-extended to 64 bits).
    fn lift(raw: u64) -> Result<Self, GuestError>;
    /// The raw value to hand to the guest.
    fn lower(self) -> u64;
}

macro_rules! scalar_unsigned {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl Scalar for $t {
            #[inline]
            fn lift(raw: u64) -> Result<Self, GuestError> {
                <$t>::try_from(raw).map_err(|_| GuestError::InvalidValue { ty: $name, value: raw })
            }
            #[inline]
            fn lower(self) -> u64 {
                self.into()
            }
        }
    )*};
}

scalar_unsigned!(u8 => "u8", u16 => "u16", u32 => "u32", u64 => "u64");

// Signed values narrower than 64 bits arrive as an `i32` (zero-extended into `raw` by
// `glue::lift32`) and must fit their type as a signed number.
macro_rules! scalar_signed {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl Scalar for $t {
            #[inline]
            fn lift(raw: u64) -> Result<Self, GuestError> {
                u32::try_from(raw)
                    .ok()
                    .and_then(|bits| <$t>::try_from(bits as i32).ok())
                    .ok_or(GuestError::InvalidValue { ty: $name, value: raw })
            }
            #[inline]
            fn lower(self) -> u64 {
                (self as i32 as u32).into()
            }
        }
    )*};
}

scalar_signed!(i8 => "s8", i16 => "s16", i32 => "s32");

impl Scalar for i64 {
    #[inline]
    fn lift(raw: u64) -> Result<Self, GuestError> {
        Ok(raw as i64)
    }
    #[inline]
    fn lower(self) -> u64 {
        self as u64
    }
}

impl Scalar for char {
    #[inline]
    fn lift(raw: u64) -> Result<Self, GuestError> {
        u32::try_from(raw)
            .ok()
            .and_then(char::from_u32)
            .ok_or(GuestError::InvalidValue {
                ty: "char",
                value: raw,
            })
    }
    #[inline]
    fn lower(self) -> u64 {
        u32::from(self).into()
    }
}

/// A typed address in guest memory. It is only a number: every access through
/// [`GuestMemory`] checks it.
pub struct GuestPtr<T> {
    offset: u32,
    _ty: PhantomData<fn() -> T>,
}

impl<T> GuestPtr<T> {
    /// A pointer to the guest address `offset`.
    #[inline]
    pub const fn new(offset: u32) -> Self {
        GuestPtr {
            offset,
            _ty: PhantomData,
        }
    }

    /// The guest address.
    #[inline]
    pub const fn offset(self) -> u32 {
        self.offset
    }

    /// The same address seen as another type.
    #[inline]
    pub const fn cast<U>(self) -> GuestPtr<U> {
        GuestPtr::new(self.offset)
    }
}

impl<T: GuestType> GuestPtr<T> {
    /// The pointer to the `n`th element from this one; an address past `u32::MAX` is an error.
    #[inline]
    pub fn at(self, n: u32) -> Result<Self, GuestError> {
        u64::from(n)
            .checked_mul(T::SIZE.into())
            .and_then(|bytes| u32::try_from(u64::from(self.offset) + bytes).ok())
            .map(GuestPtr::new)
            .ok_or(GuestError::LengthOverflow { ty: T::NAME })
    }
}

impl<T> Clone for GuestPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for GuestPtr<T> {}
impl<T> PartialEq for GuestPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset
    }
}
impl<T> Eq for GuestPtr<T> {}
impl<T> std::hash::Hash for GuestPtr<T> {
    fn hash<S: std::hash::Hasher>(&self, state: &mut S) {
        self.offset.hash(state);
    }
}
impl<T> fmt::Debug for GuestPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.offset)
    }
}

impl<T> GuestType for GuestPtr<T> {
    const NAME: &'static str = "pointer";
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    #[inline]
    fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
        u32::read_from(bytes).map(GuestPtr::new)
    }
    #[inline]
    fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
        self.offset.write_to(bytes)
    }
}

impl<T> Scalar for GuestPtr<T> {
    #[inline]
    fn lift(raw: u64) -> Result<Self, GuestError> {
        u32::lift(raw).map(GuestPtr::new)
    }
    #[inline]
    fn lower(self) -> u64 {
        self.offset.into()
    }
}

/// A witx `list`: `len` elements of `T` starting at `ptr`.
pub struct GuestArray<T> {
    ptr: GuestPtr<T>,
    len: u32,
}

impl<T> GuestArray<T> {
    /// The list of `len` elements at `ptr` (not yet checked).
    #[inline]
    pub const fn new(ptr: GuestPtr<T>, len: u32) -> Self {
        GuestArray { ptr, len }
    }
    /// The address of the first element.
    #[inline]
    pub const fn ptr(self) -> GuestPtr<T> {
        self.ptr
    }
    /// The number of elements.
    #[inline]
    pub const fn len(self) -> u32 {
        self.len
    }
    /// Whether the list has no elements.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.len == 0
    }
}

impl<T: GuestType> GuestArray<T> {
    /// The pointer to element `i`, or `None` past the end.
    #[inline]
    pub fn get(self, i: u32) -> Option<GuestPtr<T>> {
        if i < self.len {
            self.ptr.at(i).ok()
        } else {
            None
        }
    }
}

impl<T> Clone for GuestArray<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for GuestArray<T> {}
impl<T> PartialEq for GuestArray<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr && self.len == other.len
    }
}
impl<T> Eq for GuestArray<T> {}
impl<T> std::hash::Hash for GuestArray<T> {
    fn hash<S: std::hash::Hasher>(&self, state: &mut S) {
        self.ptr.hash(state);
        self.len.hash(state);
    }
}
impl<T> fmt::Debug for GuestArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}[{}]", self.ptr, self.len)
    }
}

/// A witx `string`: `len` bytes of UTF-8 at `ptr`. The glue checks bounds and UTF-8 before the
/// host sees it; read it with [`GuestMemory::str`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct GuestStr {
    ptr: GuestPtr<u8>,
    len: u32,
}

impl GuestStr {
    /// The string of `len` bytes at `ptr` (not yet checked).
    #[inline]
    pub const fn new(ptr: GuestPtr<u8>, len: u32) -> Self {
        GuestStr { ptr, len }
    }
    /// The address of the first byte.
    #[inline]
    pub const fn ptr(self) -> GuestPtr<u8> {
        self.ptr
    }
    /// The length in bytes.
    #[inline]
    pub const fn len(self) -> u32 {
        self.len
    }
    /// Whether the string is empty.
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.len == 0
    }
}

impl<T> GuestType for GuestArray<T> {
    const NAME: &'static str = "list";
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    #[inline]
    fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
        Ok(GuestArray::new(
            read_field(bytes, 0)?,
            read_field(bytes, 4)?,
        ))
    }
    #[inline]
    fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
        write_field(bytes, 0, &self.ptr)?;
        write_field(bytes, 4, &self.len)
    }
}

impl GuestType for GuestStr {
    const NAME: &'static str = "string";
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    #[inline]
    fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
        Ok(GuestStr::new(read_field(bytes, 0)?, read_field(bytes, 4)?))
    }
    #[inline]
    fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
        write_field(bytes, 0, &self.ptr)?;
        write_field(bytes, 4, &self.len)
    }
}

/// The number of strings and the bytes they take with a NUL after each, as `args_sizes_get` and
/// `environ_sizes_get` report them; [`GuestError::ResultOverflow`] when either exceeds `u32`.
pub fn string_table_sizes<S: AsRef<[u8]>>(strings: &[S]) -> Result<(u32, u32), GuestError> {
    let overflow = GuestError::ResultOverflow { ty: "size" };
    let count = u32::try_from(strings.len()).map_err(|_| overflow.clone())?;
    let size = strings
        .iter()
        .try_fold(0u32, |sum, s| {
            u32::try_from(s.as_ref().len())
                .ok()
                .and_then(|len| sum.checked_add(len)?.checked_add(1))
        })
        .ok_or(overflow)?;
    Ok((count, size))
}

/// A record that describes a buffer in guest memory: a byte pointer and a length, such as
/// preview1's `iovec` and `ciovec`. The generator implements it for every record of exactly that
/// shape, so that [`GuestMemory::gather`] and [`GuestMemory::scatter`] work on lists of them.
pub trait GuestBuffer: GuestType {
    /// The buffer's address and length in bytes.
    fn buffer(&self) -> (GuestPtr<u8>, u32);
}

/// A guest's linear memory, for the duration of one call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
    exported: bool,
}

impl<'a> GuestMemory<'a> {
    /// The memory whose contents are `bytes`.
    #[inline]
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory {
            bytes,
            exported: true,
        }
    }

    /// Stands in for the memory of a guest that exports none: every access fails with
    /// [`GuestError::NoMemory`].
    #[inline]
    pub fn missing() -> Self {
        GuestMemory {
            bytes: &mut [],
            exported: false,
        }
    }

    /// The same memory, borrowed for a shorter time (to hand to a function that takes it by
    /// value or by reference, without giving up this one).
    #[inline]
    pub fn reborrow(&mut self) -> GuestMemory<'_> {
        GuestMemory {
            bytes: self.bytes,
            exported: self.exported,
        }
    }

    /// The size of the memory in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the memory is empty (or missing).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The whole memory as bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
    }

    #[inline]
    fn range(&self, ty: &'static str, offset: u32, len: u64) -> Result<Range<usize>, GuestError> {
        let end = u64::from(offset) + len;
        if end <= self.bytes.len() as u64 {
            Ok(offset as usize..end as usize)
        } else if !self.exported {
            Err(GuestError::NoMemory)
        } else {
            Err(GuestError::OutOfBounds { ty, offset, len })
        }
    }

    #[inline]
    fn typed_range<T: GuestType>(
        &self,
        offset: u32,
        count: u32,
    ) -> Result<Range<usize>, GuestError> {
        let len = u64::from(count) * u64::from(T::SIZE);
        if len > u64::from(u32::MAX) {
            return Err(GuestError::LengthOverflow { ty: T::NAME });
        }
        // Bounds first: a pointer that is both out of bounds and misaligned is out of bounds.
        let range = self.range(T::NAME, offset, len)?;
        if !offset.is_multiple_of(T::ALIGN) {
            return Err(GuestError::Misaligned {
                ty: T::NAME,
                offset,
                align: T::ALIGN,
            });
        }
        Ok(range)
    }

    /// Checks that a `T` at `ptr` is in bounds and aligned, without reading it.
    #[inline]
    pub fn check<T: GuestType>(&self, ptr: GuestPtr<T>) -> Result<(), GuestError> {
        self.typed_range::<T>(ptr.offset, 1).map(drop)
    }

    /// Checks that every element of `array` is in bounds and aligned, without reading them.
    #[inline]
    pub fn check_array<T: GuestType>(&self, array: GuestArray<T>) -> Result<(), GuestError> {
        self.typed_range::<T>(array.ptr.offset, array.len).map(drop)
    }

    /// Reads the `T` at `ptr`.
    #[inline]
    pub fn read<T: GuestType>(&self, ptr: GuestPtr<T>) -> Result<T, GuestError> {
        let range = self.typed_range::<T>(ptr.offset, 1)?;
        T::read_from(&self.bytes[range])
    }

    /// Writes `value` as the `T` at `ptr`.
    #[inline]
    pub fn write<T: GuestType>(&mut self, ptr: GuestPtr<T>, value: T) -> Result<(), GuestError> {
        let range = self.typed_range::<T>(ptr.offset, 1)?;
        value.write_to(&mut self.bytes[range])
    }

    /// The `len` bytes at `ptr`.
    #[inline]
    pub fn bytes(&self, ptr: GuestPtr<u8>, len: u32) -> Result<&[u8], GuestError> {
        let range = self.range("u8", ptr.offset, len.into())?;
        Ok(&self.bytes[range])
    }

    /// The `len` bytes at `ptr`, to write into.
    #[inline]
    pub fn bytes_mut(&mut self, ptr: GuestPtr<u8>, len: u32) -> Result<&mut [u8], GuestError> {
        let range = self.range("u8", ptr.offset, len.into())?;
        Ok(&mut self.bytes[range])
    }

    /// Copies `src` to guest memory at `ptr`.
    #[inline]
    pub fn copy_from(&mut self, ptr: GuestPtr<u8>, src: &[u8]) -> Result<(), GuestError> {
        let len = u32::try_from(src.len()).map_err(|_| GuestError::LengthOverflow { ty: "u8" })?;
        self.bytes_mut(ptr, len)?.copy_from_slice(src);
        Ok(())
    }

    /// The string `s`, checked for bounds and UTF-8.
    #[inline]
    pub fn str(&self, s: GuestStr) -> Result<&str, GuestError> {
        let bytes = self.bytes(s.ptr, s.len)?;
        std::str::from_utf8(bytes).map_err(|_| GuestError::InvalidUtf8 {
            offset: s.ptr.offset,
        })
    }

    /// Writes `strings` the way C's `argv` and `environ` are laid out: each string followed by a
    /// NUL byte, one after another from `buf`, and a pointer to each at `pointers[i]`.
    ///
    /// Everything is checked before anything is written. [`string_table_sizes`] gives the number
    /// of strings and the bytes `buf` needs.
    pub fn write_string_table<S: AsRef<[u8]>>(
        &mut self,
        pointers: GuestPtr<GuestPtr<u8>>,
        buf: GuestPtr<u8>,
        strings: &[S],
    ) -> Result<(), GuestError> {
        let (count, size) = string_table_sizes(strings)?;
        self.check_array(GuestArray::new(pointers, count))?;
        let table = self.range("u8", buf.offset, size.into())?;
        // Every position below is inside `table`, which is checked: a table that ends on the last
        // byte of a 4 GiB memory computes no address past it.
        let mut at = table.start;
        for (i, s) in (0..).zip(strings) {
            let s = s.as_ref();
            self.write(pointers.at(i)?, GuestPtr::<u8>::new(at as u32))?;
            self.bytes[at..at + s.len()].copy_from_slice(s);
            self.bytes[at + s.len()] = 0;
            at += s.len() + 1;
        }
        Ok(())
    }

    /// Reads every buffer of `bufs` (a list of iovec-like records) and hands each non-empty one to
    /// `each`, in order; returns the total length.
    ///
    /// All the buffers are checked before the first is handed on, so a bad one means nothing was
    /// consumed: out of bounds is [`GuestError::OutOfBounds`], and lengths whose sum does not fit
    /// in `u32` are [`GuestError::LengthOverflow`]. No host memory is allocated, however long the
    /// list.
    #[inline]
    pub fn gather<B: GuestBuffer>(
        &self,
        bufs: GuestArray<B>,
        mut each: impl FnMut(&[u8]),
    ) -> Result<u32, GuestError> {
        let records = self.buffer_records(bufs)?;
        if records.len() == B::SIZE as usize {
            // One buffer (the common case): checking it is consuming it.
            let (ptr, len) = B::read_from(records)?.buffer();
            let bytes = self.bytes(ptr, len)?;
            if len != 0 {
                each(bytes);
            }
            return Ok(len);
        }
        let total = self.check_buffers::<B>(records)?;
        for record in records.chunks_exact(B::SIZE.max(1) as usize) {
            let (ptr, len) = B::read_from(record)?.buffer();
            if len != 0 {
                each(self.bytes(ptr, len)?);
            }
        }
        Ok(total)
    }

    /// Copies `src` into the buffers of `bufs` in order, until either runs out; returns the number
    /// of bytes copied. All the buffers are checked first, as in [`GuestMemory::gather`], so a bad
    /// one means nothing was written; and the list is used as it was when the call began, even
    /// when the copy overwrites records the guest placed inside its own buffers.
    #[inline]
    pub fn scatter<B: GuestBuffer>(
        &mut self,
        bufs: GuestArray<B>,
        mut src: &[u8],
    ) -> Result<u32, GuestError> {
        let records = self.typed_range::<B>(bufs.ptr.offset, bufs.len)?;
        self.check_buffers::<B>(&self.bytes[records.clone()])?;
        // The records are used as they were when the call began (as `readv` does), and all of
        // them were checked above. When a copy would land on records the guest placed inside its
        // own buffers, they are saved first: a copy no larger than the guest's own list.
        let saved = self
            .copies_over::<B>(records.clone(), src.len())
            .then(|| self.bytes[records.clone()].to_vec());
        let size = B::SIZE as usize;
        let mut copied = 0u32;
        for i in 0..bufs.len as usize {
            if src.is_empty() {
                break;
            }
            let at = i * size;
            let record = match &saved {
                Some(saved) => &saved[at..at + size],
                None => &self.bytes[records.start + at..records.start + at + size],
            };
            let (ptr, len) = B::read_from(record)?.buffer();
            let n = src.len().min(len as usize);
            let (head, rest) = src.split_at(n);
            let start = ptr.offset as usize;
            self.bytes[start..start + n].copy_from_slice(head);
            src = rest;
            copied += n as u32;
        }
        Ok(copied)
    }

    /// Whether copying `len` bytes into the buffers the records at `records` describe, in order,
    /// writes over any of the records.
    fn copies_over<B: GuestBuffer>(&self, records: Range<usize>, mut len: usize) -> bool {
        for record in self.bytes[records.clone()].chunks_exact(B::SIZE.max(1) as usize) {
            if len == 0 {
                break;
            }
            let Ok((ptr, buf_len)) = B::read_from(record).map(|r| r.buffer()) else {
                return true;
            };
            let n = len.min(buf_len as usize);
            let start = ptr.offset as usize;
            if n != 0 && start < records.end && records.start < start + n {
                return true;
            }
            len -= n;
        }
        false
    }

    /// The bytes of the records of `bufs`, checked for bounds and alignment.
    #[inline]
    fn buffer_records<B: GuestBuffer>(&self, bufs: GuestArray<B>) -> Result<&[u8], GuestError> {
        let range = self.typed_range::<B>(bufs.ptr.offset, bufs.len)?;
        Ok(&self.bytes[range])
    }

    /// Checks every buffer the records describe; returns the sum of their lengths.
    #[inline]
    fn check_buffers<B: GuestBuffer>(&self, records: &[u8]) -> Result<u32, GuestError> {
        let mut total = 0u32;
        // A buffer record holds a pointer and a length, so `B::SIZE` is never 0.
        for record in records.chunks_exact(B::SIZE.max(1) as usize) {
            let (ptr, len) = B::read_from(record)?.buffer();
            self.range("u8", ptr.offset, len.into())?;
            total = total
                .checked_add(len)
                .ok_or(GuestError::LengthOverflow { ty: B::NAME })?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Iov {
        ptr: GuestPtr<u8>,
        len: u32,
    }

    impl GuestType for Iov {
        const NAME: &'static str = "iov";
        const SIZE: u32 = 8;
        const ALIGN: u32 = 4;
        fn read_from(bytes: &[u8]) -> Result<Self, GuestError> {
            Ok(Iov {
                ptr: read_field(bytes, 0)?,
                len: read_field(bytes, 4)?,
            })
        }
        fn write_to(&self, bytes: &mut [u8]) -> Result<(), GuestError> {
            write_field(bytes, 0, &self.ptr)?;
            write_field(bytes, 4, &self.len)
        }
    }

    impl GuestBuffer for Iov {
        fn buffer(&self) -> (GuestPtr<u8>, u32) {
            (self.ptr, self.len)
        }
    }

    fn iovs(mem: &mut GuestMemory<'_>, at: u32, list: &[(u32, u32)]) -> GuestArray<Iov> {
        for (i, &(ptr, len)) in (0..).zip(list) {
            let iov = Iov {
                ptr: GuestPtr::new(ptr),
                len,
            };
            mem.write(GuestPtr::new(at + 8 * i), iov).unwrap();
        }
        GuestArray::new(GuestPtr::new(at), list.len() as u32)
    }

    #[test]
    fn reads_and_writes_check_bounds_and_alignment() {
        let mut bytes = vec![0u8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        mem.write(GuestPtr::<u32>::new(60), 7).unwrap();
        assert_eq!(mem.read(GuestPtr::<u32>::new(60)), Ok(7));
        assert!(matches!(
            mem.read(GuestPtr::<u32>::new(58)),
            Err(GuestError::Misaligned { align: 4, .. })
        ));
        assert!(matches!(
            mem.read(GuestPtr::<u32>::new(64)),
            Err(GuestError::OutOfBounds {
                offset: 64,
                len: 4,
                ..
            })
        ));
        assert!(matches!(
            mem.bytes(GuestPtr::new(u32::MAX), 2),
            Err(GuestError::OutOfBounds { .. })
        ));
        assert!(matches!(
            mem.check_array(GuestArray::<u64>::new(GuestPtr::new(0), u32::MAX)),
            Err(GuestError::LengthOverflow { .. })
        ));
        assert_eq!(
            GuestPtr::<u64>::new(u32::MAX - 7).at(1).map(|p| p.offset()),
            Err(GuestError::LengthOverflow { ty: "u64" })
        );
    }

    #[test]
    fn a_missing_memory_says_so() {
        let mem = GuestMemory::missing();
        assert_eq!(mem.read(GuestPtr::<u8>::new(0)), Err(GuestError::NoMemory));
        assert_eq!(GuestError::NoMemory.errno_name(), "fault");
    }

    #[test]
    fn gather_checks_every_buffer_before_consuming_any() {
        let mut bytes = vec![0u8; 256];
        bytes[100..105].copy_from_slice(b"hello");
        bytes[200..203].copy_from_slice(b"abc");
        let mut mem = GuestMemory::new(&mut bytes);
        let good = iovs(&mut mem, 0, &[(100, 5), (150, 0), (200, 3)]);
        let mut seen = Vec::new();
        assert_eq!(mem.gather(good, |b| seen.extend_from_slice(b)), Ok(8));
        assert_eq!(seen, b"helloabc");

        let bad = iovs(&mut mem, 32, &[(100, 5), (250, 10)]);
        let mut consumed = 0;
        assert!(matches!(
            mem.gather(bad, |b| consumed += b.len()),
            Err(GuestError::OutOfBounds { .. })
        ));
        assert_eq!(consumed, 0, "nothing consumed when a later buffer is bad");

        let overflow = iovs(&mut mem, 64, &[(0, 200), (0, u32::MAX - 100)]);
        assert!(mem.gather(overflow, |_| {}).is_err());
    }

    #[test]
    fn scatter_fills_buffers_in_order_until_the_source_runs_out() {
        let mut bytes = vec![0u8; 256];
        let mut mem = GuestMemory::new(&mut bytes);
        let list = iovs(&mut mem, 0, &[(100, 3), (200, 10)]);
        assert_eq!(mem.scatter(list, b"abcdef"), Ok(6));
        assert_eq!(&mem.as_bytes()[100..103], b"abc");
        assert_eq!(&mem.as_bytes()[200..204], b"def\0");
    }

    #[test]
    fn scatter_uses_the_records_as_they_were_when_the_copy_overwrites_them() {
        let mut bytes = vec![0u8; 256];
        let mut mem = GuestMemory::new(&mut bytes);
        // The list sits at 16..32, inside the first buffer (0..32): copying into that buffer
        // replaces the second record with whatever the source holds (here a pointer far out of
        // bounds), but the second buffer is still 200..204.
        let list = iovs(&mut mem, 16, &[(0, 32), (200, 4)]);
        let mut src = [0xEEu8; 36];
        src[32..].copy_from_slice(b"tail");
        assert_eq!(mem.scatter(list, &src), Ok(36));
        assert_eq!(&mem.as_bytes()[..32], &[0xEE; 32]);
        assert_eq!(&mem.as_bytes()[200..204], b"tail");
    }

    #[test]
    fn a_failed_scatter_writes_nothing() {
        let mut bytes = vec![7u8; 256];
        let mut mem = GuestMemory::new(&mut bytes);
        let list = iovs(&mut mem, 0, &[(100, 4), (250, 10)]);
        let before = mem.as_bytes().to_vec();
        assert!(matches!(
            mem.scatter(list, b"abcdefgh"),
            Err(GuestError::OutOfBounds { .. })
        ));
        assert_eq!(mem.as_bytes(), &before[..]);
    }

    #[test]
    fn a_string_table_may_end_on_the_last_byte_of_a_4_gib_memory() {
        // Zeroed, so the kernel maps pages only when they are touched.
        let mut bytes = vec![0u8; 1 << 32];
        let mut mem = GuestMemory::new(&mut bytes);
        let strings = ["prog", "--flag"];
        let (_, size) = string_table_sizes(&strings).unwrap();
        let buf = GuestPtr::new(u32::MAX - size + 1);
        assert_eq!(
            mem.write_string_table(GuestPtr::new(0), buf, &strings),
            Ok(())
        );
        assert_eq!(mem.read(GuestPtr::<u32>::new(4)), Ok(u32::MAX - 6));
        assert_eq!(&mem.as_bytes()[(u32::MAX - 6) as usize..], b"--flag\0");
    }

    #[test]
    fn string_tables_are_laid_out_like_argv() {
        let mut bytes = vec![0xFFu8; 64];
        let mut mem = GuestMemory::new(&mut bytes);
        let strings = ["ab", "", "c"];
        assert_eq!(string_table_sizes(&strings), Ok((3, 6)));
        mem.write_string_table(GuestPtr::new(0), GuestPtr::new(32), &strings)
            .unwrap();
        let ptrs: Vec<u32> = (0..3)
            .map(|i| mem.read(GuestPtr::<u32>::new(4 * i)).unwrap())
            .collect();
        assert_eq!(ptrs, [32, 35, 36]);
        assert_eq!(&mem.as_bytes()[32..38], b"ab\0\0c\0");
        assert_eq!(mem.as_bytes()[38], 0xFF, "nothing written past the table");
        let too_big = mem.write_string_table(GuestPtr::new(0), GuestPtr::new(60), &strings);
        assert!(matches!(too_big, Err(GuestError::OutOfBounds { .. })));
    }

    #[test]
    fn scalars_lift_only_values_their_type_can_hold() {
        assert_eq!(u8::lift(255), Ok(255));
        assert!(u8::lift(256).is_err());
        assert_eq!(i8::lift(u64::from(-128i32 as u32)), Ok(-128));
        assert!(i8::lift(u64::from(-129i32 as u32)).is_err());
        assert_eq!(i32::lift(u64::from(u32::MAX)), Ok(-1));
        assert_eq!((-1i32).lower(), u64::from(u32::MAX));
        assert_eq!(i64::lift(u64::MAX), Ok(-1));
        assert!(char::lift(0xD800).is_err());
        assert_eq!(char::lift(0x41), Ok('A'));
    }
}
