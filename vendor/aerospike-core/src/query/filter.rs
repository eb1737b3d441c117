// Copyright 2015-2026 Aerospike, Inc.
//
// Portions may be licensed to Aerospike, Inc. under one or more contributor
// license agreements.
//
// Licensed under the Apache License, Version 2.0 (the "License"); you may not
// use this file except in compliance with the License. You may obtain a copy of
// the License at http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
// WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
// License for the specific language governing permissions and limitations under
// the License.

use crate::commands::{buffer::Buffer, ParticleType};
use crate::errors::Result;
use crate::expressions::Expression;
use crate::operations::CdtContext;
use crate::{CollectionIndexType, Value};

/// Marker trait for types valid in equality and contains filters.
///
/// Supported types: integers (`i8`, `u8`, `i16`, `u16`, `i32`, `u32`, `i64`, `u64`, `isize`,
/// `usize`), strings (`String`, `&str`), and blobs (`Vec<u8>`, `&[u8]`).
pub trait EqFilterValue: sealed::Sealed {
    /// Converts this value into a `Value` for use in a filter.
    fn into_filter_value(self) -> Value;
}

/// The filter value traits are sealed: the server accepts exactly the types
/// implemented here, so there is nothing a downstream impl could add.
mod sealed {
    pub trait Sealed {}
}

/// Marker trait for types valid in range filters.
///
/// Only integer types are supported: `i8`, `u8`, `i16`, `u16`, `i32`, `u32`, `i64`, `u64`,
/// `isize`, `usize`.
pub trait RangeFilterValue: sealed::Sealed {
    /// Converts this value into a `Value` for use in a range filter.
    fn into_filter_value(self) -> Value;
}

// --- EqFilterValue implementations ---

// Integer types (also valid for range)
macro_rules! impl_eq_filter_int {
    ($($t:ty),*) => {
        $(
            impl sealed::Sealed for $t {}
            impl sealed::Sealed for &$t {}
            impl EqFilterValue for $t {
                fn into_filter_value(self) -> Value { Value::from(self) }
            }
            impl EqFilterValue for &$t {
                fn into_filter_value(self) -> Value { Value::from(*self) }
            }
            impl RangeFilterValue for $t {
                fn into_filter_value(self) -> Value { Value::from(self) }
            }
            impl RangeFilterValue for &$t {
                fn into_filter_value(self) -> Value { Value::from(*self) }
            }
        )*
    }
}

impl_eq_filter_int!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize);

impl sealed::Sealed for String {}
impl sealed::Sealed for &String {}
impl sealed::Sealed for &str {}
impl sealed::Sealed for Vec<u8> {}
impl sealed::Sealed for &Vec<u8> {}
impl sealed::Sealed for &[u8] {}
impl sealed::Sealed for Value {}

// String types
impl EqFilterValue for String {
    fn into_filter_value(self) -> Value {
        Value::from(self)
    }
}

impl EqFilterValue for &String {
    fn into_filter_value(self) -> Value {
        Value::from(self.clone())
    }
}

impl EqFilterValue for &str {
    fn into_filter_value(self) -> Value {
        Value::from(self.to_owned())
    }
}

// Blob types
impl EqFilterValue for Vec<u8> {
    fn into_filter_value(self) -> Value {
        Value::from(self)
    }
}

impl EqFilterValue for &Vec<u8> {
    fn into_filter_value(self) -> Value {
        Value::from(self.clone())
    }
}

impl EqFilterValue for &[u8] {
    fn into_filter_value(self) -> Value {
        Value::from(self.to_vec())
    }
}

// Value impls — allows passing pre-constructed Value instances (e.g. from proptests).
// These perform a runtime check since the type information is erased.
impl EqFilterValue for Value {
    fn into_filter_value(self) -> Value {
        assert!(
            matches!(self, Value::Int(_) | Value::String(_) | Value::Blob(_)),
            "equality/contains filter value must be integer, string, or blob"
        );
        self
    }
}

impl RangeFilterValue for Value {
    fn into_filter_value(self) -> Value {
        assert!(
            matches!(self, Value::Int(_) | Value::String(_) | Value::Blob(_)),
            "equality/contains filter value must be integer, string, or blob"
        );
        self
    }
}

// Helper to build the AeroCircle GeoJSON string
fn geo_circle_json(lng: f64, lat: f64, radius: f64) -> Value {
    Value::String(format!(
        "{{ \"type\": \"AeroCircle\", \"coordinates\": [[{lng:.8}, {lat:.8}], {radius}] }}"
    ))
}

/// Query filter definition. Currently, only one filter is allowed in a Statement, and must be on a
/// bin which has a secondary index defined.
///
/// Filter instances should be created using the associated methods on this type, such as
/// [`Filter::equal`], [`Filter::range`], [`Filter::contains`], etc.
///
/// # Expression-based secondary index
///
/// When querying against an expression-based secondary index (created via
/// [`Client::create_index_using_expression`](crate::Client::create_index_using_expression)),
/// attach the same [`Expression`] to the filter using the [`Filter::expression`] builder.
/// This tells the server which index to use for the lookup.
///
/// **Note:** This is different from
/// [`BasePolicy::filter_expression`](crate::policy::BasePolicy::filter_expression), which is
/// a post-filter applied to records *after* the index lookup.
///
/// ```rust,no_run
/// # use aerospike_core::query::Filter;
/// # use aerospike_core::expressions;
/// let exp = expressions::int_bin("a".to_string());
/// let f = Filter::range("a", 0_i64, 100_i64)
///     .expression(exp);
/// ```
///
/// # CDT Context
///
/// For secondary indexes on elements within a CDT (Collection Data Type), a
/// [`CdtContext`] can be attached to any filter using the [`Filter::context`] builder method.
/// The context specifies the path to the element within the nested CDT structure.
///
/// ```rust,no_run
/// # use aerospike_core::query::Filter;
/// # use aerospike_core::operations::cdt_context::ctx_list_index;
/// // Filter on a secondary index within a nested list element
/// let f = Filter::equal("bin_name", 42_i64)
///     .context(vec![ctx_list_index(0)]);
/// ```
///
/// Both builders can be combined:
///
/// ```rust,no_run
/// # use aerospike_core::query::Filter;
/// # use aerospike_core::operations::cdt_context::ctx_list_index;
/// # use aerospike_core::expressions;
/// let exp = expressions::int_bin("bin_name".to_string());
/// let f = Filter::range("bin_name", 0_i64, 100_i64)
///     .expression(exp)
///     .context(vec![ctx_list_index(0)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub(crate) bin_name: String,
    pub(crate) collection_index_type: CollectionIndexType,
    pub(crate) value_particle_type: u8,

    pub(crate) begin: Value,

    pub(crate) end: Value,

    /// Optional secondary index name. When set, the server uses this specific
    /// index for the query instead of performing an index lookup by bin name.
    pub(crate) index_name: Option<String>,

    /// Optional packed CDT context bytes for the secondary index.
    pub(crate) context: Option<Vec<CdtContext>>,

    /// Optional expression identifying which expression-based secondary index to use.
    /// Serialized as `FieldType::IndexExpression` (24) on the wire.
    pub(crate) expression: Option<Expression>,

    /// Opaque `INDEX_RANGE` body from a server query plan (execute shape).
    /// When set, [`Self::write`] emits these bytes directly (includes `n_ranges`).
    pub(crate) wire_range_bytes: Option<Vec<u8>>,
}

/// Particle type of a filter bound.
///
/// Filter values arrive through [`EqFilterValue`] / [`RangeFilterValue`], which
/// only yield integers, strings, and blobs, so the INF/wildcard failure
/// [`Value::particle_type`] reports cannot happen here. `NULL` is a defensive
/// placeholder for the impossible case: it makes the server reject the filter
/// instead of the client panicking on a value the type system already excludes.
fn bound_particle_type(value: &Value) -> u8 {
    value
        .particle_type()
        .unwrap_or(crate::commands::particle_type::ParticleType::Null as u8)
}

impl Filter {
    /// Creates a new filter instance. For internal use only.
    pub(crate) fn new(
        bin_name: impl Into<String>,
        collection_index_type: CollectionIndexType,
        value_particle_type: u8,
        begin: Value,
        end: Value,
    ) -> Self {
        Filter {
            bin_name: bin_name.into(),
            collection_index_type,
            value_particle_type,
            begin,
            end,
            index_name: None,
            context: None,
            expression: None,
            wire_range_bytes: None,
        }
    }

    /// Replay opaque `INDEX_RANGE` field body on execute (field `22`).
    ///
    /// Bytes must already be in execute shape (`bin_name_len = 0` when paired with field `21`).
    pub(crate) fn from_wire_range(
        index_name: impl Into<String>,
        range_bytes: Vec<u8>,
        collection_index_type: CollectionIndexType,
    ) -> Self {
        Filter {
            bin_name: String::new(),
            collection_index_type,
            value_particle_type: ParticleType::Integer as u8,
            begin: Value::from(0_i64),
            end: Value::from(0_i64),
            index_name: Some(index_name.into()),
            context: None,
            expression: None,
            wire_range_bytes: Some(range_bytes),
        }
    }

    pub(crate) const fn has_wire_range(&self) -> bool {
        self.wire_range_bytes.is_some()
    }

    /// Creates a new filter instance that targets a specific secondary index by name.
    pub(crate) fn new_by_index(
        index_name: impl Into<String>,
        collection_index_type: CollectionIndexType,
        value_particle_type: u8,
        begin: Value,
        end: Value,
    ) -> Self {
        Filter {
            bin_name: String::new(),
            collection_index_type,
            value_particle_type,
            begin,
            end,
            index_name: Some(index_name.into()),
            context: None,
            expression: None,
            wire_range_bytes: None,
        }
    }

    // ========================================================================
    // Equality filters
    // ========================================================================

    /// Creates an equality filter for queries.
    ///
    /// Supports integer, string, and blob values (compile-time validated).
    ///
    /// # Examples
    /// ```
    /// # use aerospike_core::query::Filter;
    /// let f = Filter::equal("bin_name", 42_i64);
    /// let f = Filter::equal("bin_name", "hello");
    /// let f = Filter::equal("bin_name", vec![1u8, 2, 3]);
    /// ```
    pub fn equal(bin_name: impl Into<String>, value: impl EqFilterValue) -> Self {
        let val = value.into_filter_value();
        Filter::new(
            bin_name,
            CollectionIndexType::Default,
            bound_particle_type(&val),
            val.clone(),
            val,
        )
    }

    /// Creates an equality filter for query targeting a specific secondary index by name.
    pub fn equal_by_index(index_name: impl Into<String>, value: impl EqFilterValue) -> Self {
        let val = value.into_filter_value();
        Filter::new_by_index(
            index_name,
            CollectionIndexType::Default,
            bound_particle_type(&val),
            val.clone(),
            val,
        )
    }

    // ========================================================================
    // Range filters
    // ========================================================================

    /// Creates a range filter for queries. Only integer values are supported (compile-time
    /// validated).
    ///
    /// # Examples
    /// ```
    /// # use aerospike_core::query::Filter;
    /// let f = Filter::range("bin_name", 0_i64, 100_i64);
    /// ```
    pub fn range(bin_name: impl Into<String>, begin: impl RangeFilterValue, end: impl RangeFilterValue) -> Self {
        let begin = begin.into_filter_value();
        let end = end.into_filter_value();
        Filter::new(
            bin_name,
            CollectionIndexType::Default,
            bound_particle_type(&begin),
            begin,
            end,
        )
    }

    /// Creates a range filter for query targeting a specific secondary index by name.
    pub fn range_by_index(
        index_name: impl Into<String>,
        begin: impl RangeFilterValue,
        end: impl RangeFilterValue,
    ) -> Self {
        let begin = begin.into_filter_value();
        let end = end.into_filter_value();
        Filter::new_by_index(
            index_name,
            CollectionIndexType::Default,
            bound_particle_type(&begin),
            begin,
            end,
        )
    }

    // ========================================================================
    // Contains filters
    // ========================================================================

    /// Creates a contains filter for queries on a collection index.
    ///
    /// Supports integer, string, and blob values (compile-time validated).
    ///
    /// # Examples
    /// ```
    /// # use aerospike_core::query::Filter;
    /// # use aerospike_core::CollectionIndexType;
    /// let f = Filter::contains("bin_name", 42_i64, CollectionIndexType::List);
    /// ```
    pub fn contains(bin_name: impl Into<String>, value: impl EqFilterValue, cit: CollectionIndexType) -> Self {
        let val = value.into_filter_value();
        Filter::new(bin_name, cit, bound_particle_type(&val), val.clone(), val)
    }

    /// Creates a contains filter for query on a collection index targeting a specific secondary
    /// index by name.
    pub fn contains_by_index(
        index_name: impl Into<String>,
        value: impl EqFilterValue,
        cit: CollectionIndexType,
    ) -> Self {
        let val = value.into_filter_value();
        Filter::new_by_index(index_name, cit, bound_particle_type(&val), val.clone(), val)
    }

    // ========================================================================
    // Contains range filters
    // ========================================================================

    /// Creates a contains range filter for queries on a collection index. Only integer values
    /// are supported (compile-time validated).
    ///
    /// # Examples
    /// ```
    /// # use aerospike_core::query::Filter;
    /// # use aerospike_core::CollectionIndexType;
    /// let f = Filter::contains_range("bin_name", 0_i64, 100_i64, CollectionIndexType::List);
    /// ```
    pub fn contains_range(
        bin_name: impl Into<String>,
        begin: impl RangeFilterValue,
        end: impl RangeFilterValue,
        cit: CollectionIndexType,
    ) -> Self {
        let begin = begin.into_filter_value();
        let end = end.into_filter_value();
        Filter::new(bin_name, cit, bound_particle_type(&begin), begin, end)
    }

    /// Creates a contains range filter for query on a collection index targeting a specific
    /// secondary index by name.
    pub fn contains_range_by_index(
        index_name: impl Into<String>,
        begin: impl RangeFilterValue,
        end: impl RangeFilterValue,
        cit: CollectionIndexType,
    ) -> Self {
        let begin = begin.into_filter_value();
        let end = end.into_filter_value();
        Filter::new_by_index(index_name, cit, bound_particle_type(&begin), begin, end)
    }

    // ========================================================================
    // Geo "within region" filters
    // ========================================================================

    /// Creates a geo-spatial "points within region" filter for queries.
    ///
    /// For a collection index, chain [`collection_type`](Self::collection_type).
    pub fn geo_within_region(bin_name: impl Into<String>, region: &str) -> Self {
        let region = Value::String(region.to_owned());
        Filter::new(
            bin_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            region.clone(),
            region,
        )
    }

    /// Creates a geo-spatial "points within region" filter targeting a specific secondary index
    /// by name.
    pub fn geo_within_region_by_index(index_name: impl Into<String>, region: &str) -> Self {
        let region = Value::String(region.to_owned());
        Filter::new_by_index(
            index_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            region.clone(),
            region,
        )
    }

    // ========================================================================
    // Geo "within radius" filters
    // ========================================================================

    /// Creates a geo-spatial "points within radius" filter for queries.
    ///
    /// For a collection index, chain [`collection_type`](Self::collection_type).
    pub fn geo_within_radius(bin_name: impl Into<String>, lng: f64, lat: f64, radius: f64) -> Self {
        let geo_json = geo_circle_json(lng, lat, radius);
        Filter::new(
            bin_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            geo_json.clone(),
            geo_json,
        )
    }

    /// Creates a geo-spatial "points within radius" filter targeting a specific secondary index
    /// by name.
    pub fn geo_within_radius_by_index(index_name: impl Into<String>, lng: f64, lat: f64, radius: f64) -> Self {
        let geo_json = geo_circle_json(lng, lat, radius);
        Filter::new_by_index(
            index_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            geo_json.clone(),
            geo_json,
        )
    }

    // ========================================================================
    // Geo "regions containing point" filters
    // ========================================================================

    /// Creates a geo-spatial "regions containing point" filter for queries.
    ///
    /// For a collection index, chain [`collection_type`](Self::collection_type).
    pub fn geo_contains(bin_name: impl Into<String>, point: &str) -> Self {
        let point = Value::String(point.to_owned());
        Filter::new(
            bin_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            point.clone(),
            point,
        )
    }

    /// Creates a geo-spatial "regions containing point" filter targeting a specific secondary
    /// index by name.
    pub fn geo_contains_by_index(index_name: impl Into<String>, point: &str) -> Self {
        let point = Value::String(point.to_owned());
        Filter::new_by_index(
            index_name,
            CollectionIndexType::Default,
            ParticleType::GeoJson as u8,
            point.clone(),
            point,
        )
    }

    // ========================================================================
    // Builder methods
    // ========================================================================

    /// Queries a collection index: the bin holds a list or map and the
    /// secondary index was created with the given [`CollectionIndexType`].
    /// Without it a filter targets an index on the bin's own value.
    ///
    /// # Examples
    /// ```
    /// # use aerospike_core::query::Filter;
    /// # use aerospike_core::CollectionIndexType;
    /// let f = Filter::geo_within_radius("geo_list", -122.0, 37.5, 50_000.0)
    ///     .collection_type(CollectionIndexType::List);
    /// ```
    #[must_use]
    pub const fn collection_type(mut self, cit: CollectionIndexType) -> Self {
        self.collection_index_type = cit;
        self
    }

    /// Specifies which **expression-based secondary index** to use for this query filter.
    ///
    /// The expression must match the one used when the index was created via
    /// [`Client::create_index_using_expression`](crate::Client::create_index_using_expression).
    /// The server uses this to locate the correct secondary index.
    ///
    /// This is different from [`BasePolicy::filter_expression`](crate::policy::BasePolicy::filter_expression),
    /// which is a **post-filter** applied to records after the index lookup.
    ///
    /// Returns `self` for method chaining.
    ///
    /// # Examples
    /// ```rust,no_run
    /// # use aerospike_core::query::Filter;
    /// # use aerospike_core::expressions;
    /// // The expression must match the one used in create_index_using_expression
    /// let exp = expressions::int_bin("a".to_string());
    /// let f = Filter::range("a", 0_i64, 100_i64)
    ///     .expression(exp);
    /// ```
    #[must_use]
    pub fn expression(mut self, exp: Expression) -> Self {
        self.expression = Some(exp);
        self.bin_name = String::new();
        self
    }

    /// aerospike-py patch: selects the index by its name (the official client's
    /// `Query.where_with_index_name`): any filter, not only the `*_by_index` constructors.
    #[must_use]
    pub fn index_name(mut self, index_name: impl Into<String>) -> Self {
        self.index_name = Some(index_name.into());
        self.bin_name = String::new();
        self
    }

    /// Sets the CDT context for this filter, specifying the path to an element within a nested
    /// CDT structure. This is used for secondary indexes on elements within a CDT.
    ///
    /// Returns `self` for method chaining.
    ///
    /// # Examples
    /// ```rust,no_run
    /// # use aerospike_core::query::Filter;
    /// # use aerospike_core::operations::cdt_context::ctx_list_index;
    /// let f = Filter::range("bin_name", 0_i64, 100_i64)
    ///     .context(vec![ctx_list_index(0)]);
    /// ```
    #[must_use]
    pub fn context(mut self, ctx: impl Into<Vec<CdtContext>>) -> Self {
        let ctx = ctx.into();
        if !ctx.is_empty() {
            self.context = Some(ctx);
        }
        self
    }

    pub(crate) fn estimate_size(&self) -> Result<usize> {
        if let Some(ref bytes) = self.wire_range_bytes {
            return Ok(bytes.len());
        }
        // bin name size(1) + particle type size(1)
        //     + begin particle size(4) + end particle size(4) = 10
        Ok(self.bin_name.len() + self.begin.estimate_size()? + self.end.estimate_size()? + 10)
    }

    pub(crate) fn index_range_field_body_size(&self) -> Result<usize> {
        if self.has_wire_range() {
            self.estimate_size()
        } else {
            self.estimate_size().map(|size| size + 1)
        }
    }

    pub(crate) fn write(&self, buffer: &mut Buffer) -> Result<()> {
        if let Some(ref bytes) = self.wire_range_bytes {
            buffer.write_bytes(bytes);
            return Ok(());
        }
        buffer.write_u8(self.bin_name.len() as u8);
        buffer.write_str(&self.bin_name);
        buffer.write_u8(self.value_particle_type);

        buffer.write_u32(self.begin.estimate_size()? as u32);
        self.begin.write_to(buffer)?;

        buffer.write_u32(self.end.estimate_size()? as u32);
        self.end.write_to(buffer)?;
        Ok(())
    }

    pub(crate) fn write_index_range_field(&self, buffer: &mut Buffer) -> Result<()> {
        if !self.has_wire_range() {
            buffer.write_u8(1);
        }
        self.write(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ====================================================================
    // Method-based tests
    // ====================================================================

    #[test]
    fn equal_int() {
        let f = Filter::equal("bin1", 42_i64);
        assert_eq!(f.bin_name, "bin1");
        assert_eq!(f.begin, Value::from(42_i64));
        assert_eq!(f.end, Value::from(42_i64));
    }

    #[test]
    fn equal_string() {
        let f = Filter::equal("bin1", "hello");
        assert_eq!(f.bin_name, "bin1");
        assert_eq!(f.begin, Value::from("hello".to_owned()));
    }

    #[test]
    fn equal_blob() {
        let f = Filter::equal("bin1", vec![1u8, 2, 3]);
        assert_eq!(f.bin_name, "bin1");
        assert_eq!(f.begin, Value::from(vec![1u8, 2, 3]));
    }

    #[test]
    fn equal_with_expression() {
        // `expression()` switches the filter from bin-based to
        // expression-based indexing and intentionally clears `bin_name` —
        // the server-side secondary index this filter targets is keyed
        // by the expression, not by a column.
        use crate::expressions;
        let exp = expressions::int_val(1);
        let f = Filter::equal("bin1", 42_i64).expression(exp);
        assert_eq!(f.bin_name, "");
        assert!(f.expression.is_some());
    }

    #[test]
    fn equal_by_index() {
        let f = Filter::equal_by_index("my_index", 42_i64);
        assert_eq!(f.bin_name, "");
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn range_int() {
        let f = Filter::range("bin1", 0_i64, 100_i64);
        assert_eq!(f.bin_name, "bin1");
        assert_eq!(f.begin, Value::from(0_i64));
        assert_eq!(f.end, Value::from(100_i64));
    }

    #[test]
    fn range_with_expression() {
        // See `equal_with_expression` for the bin-name-clearing rationale.
        use crate::expressions;
        let exp = expressions::int_val(1);
        let f = Filter::range("bin1", 0_i64, 100_i64).expression(exp);
        assert_eq!(f.bin_name, "");
        assert!(f.expression.is_some());
    }

    #[test]
    fn range_by_index() {
        let f = Filter::range_by_index("my_index", 0_i64, 100_i64);
        assert_eq!(f.bin_name, "");
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn contains_int() {
        let f = Filter::contains("bin1", 42_i64, CollectionIndexType::List);
        assert_eq!(f.bin_name, "bin1");
    }

    #[test]
    fn contains_with_expression() {
        // See `equal_with_expression` for the bin-name-clearing rationale.
        use crate::expressions;
        let exp = expressions::int_val(1);
        let f = Filter::contains("bin1", 42_i64, CollectionIndexType::List).expression(exp);
        assert_eq!(f.bin_name, "");
        assert!(f.expression.is_some());
    }

    #[test]
    fn contains_by_index() {
        let f = Filter::contains_by_index("my_index", 42_i64, CollectionIndexType::List);
        assert_eq!(f.bin_name, "");
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn contains_range_int() {
        let f = Filter::contains_range("bin1", 0_i64, 100_i64, CollectionIndexType::List);
        assert_eq!(f.bin_name, "bin1");
    }

    #[test]
    fn contains_range_with_expression() {
        // See `equal_with_expression` for the bin-name-clearing rationale.
        use crate::expressions;
        let exp = expressions::int_val(1);
        let f = Filter::contains_range("bin1", 0_i64, 100_i64, CollectionIndexType::List)
            .expression(exp);
        assert_eq!(f.bin_name, "");
        assert!(f.expression.is_some());
    }

    #[test]
    fn contains_range_by_index() {
        let f =
            Filter::contains_range_by_index("my_index", 0_i64, 100_i64, CollectionIndexType::List);
        assert_eq!(f.bin_name, "");
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn geo_within_region_methods() {
        let f = Filter::geo_within_region("bin1", "{}");
        assert_eq!(f.bin_name, "bin1");

        let f = Filter::geo_within_region("bin1", "{}").collection_type(CollectionIndexType::MapValues);
        assert_eq!(f.bin_name, "bin1");
        assert!(matches!(f.collection_index_type, CollectionIndexType::MapValues));
    }

    #[test]
    fn geo_within_region_with_expression() {
        use crate::expressions;
        let exp = expressions::int_val(1);

        let f = Filter::geo_within_region("bin1", "{}").expression(exp.clone());
        assert!(f.expression.is_some());

        let f = Filter::geo_within_region("bin1", "{}")
            .collection_type(CollectionIndexType::MapValues)
            .expression(exp);
        assert!(f.expression.is_some());
    }

    #[test]
    fn geo_within_region_by_index_methods() {
        let f = Filter::geo_within_region_by_index("my_index", "{}");
        assert_eq!(f.index_name, Some("my_index".to_owned()));

        let f = Filter::geo_within_region_by_index("my_index", "{}")
            .collection_type(CollectionIndexType::MapValues);
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn geo_within_radius_methods() {
        let f = Filter::geo_within_radius("bin1", 3.0, 1.0, 7.0);
        assert_eq!(f.bin_name, "bin1");

        let f = Filter::geo_within_radius("bin1", 3.0, 1.0, 7.0)
            .collection_type(CollectionIndexType::List);
        assert_eq!(f.bin_name, "bin1");
        assert!(matches!(f.collection_index_type, CollectionIndexType::List));
    }

    #[test]
    fn geo_within_radius_with_expression() {
        use crate::expressions;
        let exp = expressions::int_val(1);

        let f = Filter::geo_within_radius("bin1", 3.0, 1.0, 7.0).expression(exp.clone());
        assert!(f.expression.is_some());

        let f = Filter::geo_within_radius("bin1", 3.0, 1.0, 7.0)
            .collection_type(CollectionIndexType::List)
            .expression(exp);
        assert!(f.expression.is_some());
    }

    #[test]
    fn geo_within_radius_by_index_methods() {
        let f = Filter::geo_within_radius_by_index("my_index", 3.0, 1.0, 7.0);
        assert_eq!(f.index_name, Some("my_index".to_owned()));

        let f = Filter::geo_within_radius_by_index("my_index", 3.0, 1.0, 7.0)
            .collection_type(CollectionIndexType::List);
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    #[test]
    fn geo_contains_methods() {
        let f = Filter::geo_contains("bin1", "{}");
        assert_eq!(f.bin_name, "bin1");

        let f = Filter::geo_contains("bin1", "{}").collection_type(CollectionIndexType::MapValues);
        assert_eq!(f.bin_name, "bin1");
        assert!(matches!(f.collection_index_type, CollectionIndexType::MapValues));
    }

    #[test]
    fn geo_contains_with_expression() {
        use crate::expressions;
        let exp = expressions::int_val(1);

        let f = Filter::geo_contains("bin1", "{}").expression(exp.clone());
        assert!(f.expression.is_some());

        let f = Filter::geo_contains("bin1", "{}")
            .collection_type(CollectionIndexType::MapValues)
            .expression(exp);
        assert!(f.expression.is_some());
    }

    #[test]
    fn geo_contains_by_index_methods() {
        let f = Filter::geo_contains_by_index("my_index", "{}");
        assert_eq!(f.index_name, Some("my_index".to_owned()));

        let f = Filter::geo_contains_by_index("my_index", "{}")
            .collection_type(CollectionIndexType::MapValues);
        assert_eq!(f.index_name, Some("my_index".to_owned()));
    }

    // ====================================================================
    // Context builder tests
    // ====================================================================

    #[test]
    fn ctx_builder() {
        use crate::operations::cdt_context::ctx_list_index;

        let f = Filter::equal("bin1", 42_i64).context(vec![ctx_list_index(0)]);
        assert!(f.context.is_some());
        assert_eq!(f.context.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn ctx_empty_is_none() {
        let f = Filter::equal("bin1", 42_i64).context(vec![]);
        assert!(f.context.is_none());
    }

    #[test]
    fn ctx_with_range() {
        use crate::operations::cdt_context::ctx_list_index;

        let f = Filter::range("bin1", 0_i64, 100_i64).context(vec![ctx_list_index(0)]);
        assert!(f.context.is_some());
        assert_eq!(f.bin_name, "bin1");
    }

    #[test]
    fn index_range_field_body_size_adds_n_ranges_prefix_for_bin_filters() {
        let filter = Filter::range("age", 0_i64, 100_i64);
        assert_eq!(
            filter.index_range_field_body_size().unwrap(),
            filter.estimate_size().unwrap() + 1
        );
    }

    #[test]
    fn index_range_field_body_size_uses_wire_bytes_as_is() {
        let wire = vec![1, 0, 1, 9, 10, 11];
        let filter = Filter::from_wire_range("idx", wire.clone(), CollectionIndexType::Default);
        assert_eq!(filter.index_range_field_body_size().unwrap(), wire.len());
    }
}
