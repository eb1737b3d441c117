//! GeoJSON: parsing as the server does (as/src/geospatial/geojson.cc, jansson) and the exact
//! geometric tests its strict geo2dsphere queries end with (geospatial.cc geo_point_within).
//!
//! The real server finds candidates through S2 cell coverings, then tests each exactly; the dev
//! server tests every record exactly, which gives the same answers. What it reproduces of S2:
//! a stored or queried point is snapped to the centre of its leaf S2 cell (S2CellId(p).ToPoint(),
//! about 1 cm); polygon edges are great-circle arcs; each loop is normalized to enclose at most
//! half the sphere (S2Loop::Normalize) and a polygon holds the points inside an odd number of its
//! loops (holes); an AeroCircle is an S2Cap of angle radius / 6371000 m, compared by chord length.

use std::f64::consts::PI;

const EARTH_RADIUS_M: f64 = 6_371_000.0;

// ------------------------------------------------------------------------------------------ JSON

/// A JSON value as jansson parses it (integers and reals kept apart, as json_is_integer sees).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Str(String),
    Arr(Vec<Json>),
    /// In document order; a repeated key is found by its last value (json_object_set replaces).
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Json::Int(i) => Some(*i as f64),
            Json::Real(f) => Some(*f),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

/// json_loadb(flags 0): the text must be one object or array, nothing but whitespace after it.
pub fn parse_json(s: &[u8]) -> Result<Json, String> {
    let mut p = Parser { s, pos: 0, depth: 0 };
    p.ws();
    if !matches!(p.peek(), Some(b'[' | b'{')) {
        return Err("'[' or '{' expected".into());
    }
    let v = p.value()?;
    p.ws();
    if p.pos != s.len() {
        return Err("end of file expected".into());
    }
    Ok(v)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn lit(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err("invalid token".into())
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            Some(b'{') | Some(b'[') => {
                self.depth += 1;
                if self.depth > 2048 {
                    return Err("maximum parsing depth reached".into());
                }
                let v = if self.peek() == Some(b'{') { self.object() } else { self.array() };
                self.depth -= 1;
                v
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.lit("true", Json::Bool(true)),
            Some(b'f') => self.lit("false", Json::Bool(false)),
            Some(b'n') => self.lit("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err("invalid token".into()),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.pos += 1;
        let mut pairs = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Obj(pairs));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err("string or '}' expected".into());
            }
            let k = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err("':' expected".into());
            }
            self.pos += 1;
            let v = self.value()?;
            pairs.push((k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Obj(pairs));
                }
                _ => return Err("'}' expected".into()),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err("']' expected".into()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.s.get(self.pos..self.pos + 4).ok_or("invalid escape")?;
        let h = std::str::from_utf8(h).map_err(|_| "invalid escape")?;
        let v = u32::from_str_radix(h, 16).map_err(|_| "invalid escape")?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or("premature end of input")?;
            self.pos += 1;
            match c {
                b'"' => break,
                0..=0x1f => return Err("control character in string".into()),
                b'\\' => {
                    let e = self.peek().ok_or("premature end of input")?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut v = self.hex4()?;
                            if (0xD800..0xDC00).contains(&v) {
                                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err("invalid Unicode '\\uXXXX' escape".into());
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err("invalid Unicode '\\uXXXX\\uXXXX' escape".into());
                                }
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                            } else if (0xDC00..0xE000).contains(&v) {
                                return Err("invalid Unicode '\\uXXXX' escape".into());
                            }
                            if v == 0 {
                                return Err("\\u0000 is not allowed without JSON_ALLOW_NUL".into());
                            }
                            char::from_u32(v).ok_or("invalid escape")?
                        }
                        _ => return Err("invalid escape".into()),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| "unable to decode byte".into())
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err("invalid token".into());
                }
            }
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return Err("invalid token".into()),
        }
        let mut real = false;
        if self.peek() == Some(b'.') {
            real = true;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err("invalid token".into());
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            real = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err("invalid token".into());
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.pos]).unwrap();
        if real {
            let f: f64 = text.parse().map_err(|_| "invalid token")?;
            if f.is_infinite() {
                return Err("real number overflow".into());
            }
            Ok(Json::Real(f))
        } else {
            text.parse::<i64>().map(Json::Int).map_err(|_| "too big integer".into())
        }
    }
}

// -------------------------------------------------------------------------------------- geometry

type P = [f64; 3];

fn dot(a: P, b: P) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: P, b: P) -> P {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn norm(a: P) -> P {
    let n = dot(a, a).sqrt();
    if n == 0.0 { a } else { [a[0] / n, a[1] / n, a[2] / n] }
}

fn angle(a: P, b: P) -> f64 {
    let c = cross(a, b);
    dot(c, c).sqrt().atan2(dot(a, b))
}

/// S2LatLng::FromDegrees(lat, lng).ToPoint(), or None when not is_valid().
fn latlng_point(lng_deg: f64, lat_deg: f64) -> Option<P> {
    let (lat, lng) = ((PI / 180.0) * lat_deg, (PI / 180.0) * lng_deg);
    if lat.abs() > PI / 2.0 || lng.abs() > PI {
        return None;
    }
    let cosphi = lat.cos();
    Some([lng.cos() * cosphi, lng.sin() * cosphi, lat.sin()])
}

/// The S2 cube face of `p` and its (u, v) coordinates there (S2::XYZtoFaceUV).
fn face_uv(p: P) -> (usize, f64, f64) {
    let a = [p[0].abs(), p[1].abs(), p[2].abs()];
    let mut face = if a[0] > a[1] { if a[0] > a[2] { 0 } else { 2 } } else if a[1] > a[2] { 1 } else { 2 };
    if p[face] < 0.0 {
        face += 3;
    }
    let (u, v) = match face {
        0 => (p[1] / p[0], p[2] / p[0]),
        1 => (-p[0] / p[1], p[2] / p[1]),
        2 => (-p[0] / p[2], -p[1] / p[2]),
        3 => (p[2] / p[0], p[1] / p[0]),
        4 => (p[2] / p[1], -p[0] / p[1]),
        _ => (-p[1] / p[2], -p[0] / p[2]),
    };
    (face, u, v)
}

/// S2::FaceUVtoXYZ (not normalized).
fn face_uv_xyz(face: usize, u: f64, v: f64) -> P {
    match face {
        0 => [1.0, u, v],
        1 => [-u, 1.0, v],
        2 => [-u, -v, 1.0],
        3 => [-1.0, -v, -u],
        4 => [v, -1.0, -u],
        _ => [v, u, -1.0],
    }
}

/// S2CellId(p).ToPoint(): the centre of the leaf cell holding `p` (quadratic projection).
fn leaf_center(p: P) -> P {
    const MAX: f64 = (1u64 << 30) as f64;
    let (face, u, v) = face_uv(p);
    let uv_to_st = |u: f64| if u >= 0.0 { 0.5 * (1.0 + 3.0 * u).sqrt() } else { 1.0 - 0.5 * (1.0 - 3.0 * u).sqrt() };
    let st_to_ij = |s: f64| ((MAX * s - 0.5).round() as i64).clamp(0, (1 << 30) - 1);
    let (i, j) = (st_to_ij(uv_to_st(u)), st_to_ij(uv_to_st(v)));
    // ToPointRaw: si = 2i + 1 at level 30, s = si / 2^31.
    let st_to_uv = |s: f64| if s >= 0.5 { (1.0 / 3.0) * (4.0 * s * s - 1.0) } else { (1.0 / 3.0) * (1.0 - 4.0 * (1.0 - s) * (1.0 - s)) };
    let (u, v) = (st_to_uv((2 * i + 1) as f64 / (2.0 * MAX)), st_to_uv((2 * j + 1) as f64 / (2.0 * MAX)));
    norm(face_uv_xyz(face, u, v))
}

/// A level-1 S2 cell: a quarter of a cube face, u and v each in [-1, 0] or [0, 1].
struct Quadrant {
    face: usize,
    u: (f64, f64),
    v: (f64, f64),
    /// Its corners in order round the cell; its edges are great-circle arcs.
    corners: [P; 4],
}

fn quadrants() -> Vec<Quadrant> {
    let mut out = Vec::with_capacity(24);
    for face in 0..6 {
        for u in [(-1.0, 0.0), (0.0, 1.0)] {
            for v in [(-1.0, 0.0), (0.0, 1.0)] {
                let c = |a: f64, b: f64| norm(face_uv_xyz(face, a, b));
                let corners = [c(u.0, v.0), c(u.1, v.0), c(u.1, v.1), c(u.0, v.1)];
                out.push(Quadrant { face, u, v, corners });
            }
        }
    }
    out
}

impl Quadrant {
    fn holds(&self, p: P) -> bool {
        let (f, u, v) = face_uv(p);
        f == self.face && (self.u.0..=self.u.1).contains(&u) && (self.v.0..=self.v.1).contains(&v)
    }

    fn edges(&self) -> impl Iterator<Item = (P, P)> + '_ {
        (0..4).map(|i| (self.corners[i], self.corners[(i + 1) % 4]))
    }

    fn intersects(&self, r: &Region) -> bool {
        match r {
            Region::Cap(c, len2) => {
                if *len2 < 0.0 {
                    return false;
                }
                if self.holds(*c) || self.corners.iter().any(|p| r.contains(*p)) {
                    return true;
                }
                // The closest point of each edge's great circle, when it lies on the edge.
                self.edges().any(|(a, b)| {
                    let n = norm(cross(a, b));
                    let d = dot(*c, n);
                    let q = norm([c[0] - d * n[0], c[1] - d * n[1], c[2] - d * n[2]]);
                    let on_edge = dot(cross(a, q), n) >= 0.0 && dot(cross(q, b), n) >= 0.0;
                    let e = [c[0] - q[0], c[1] - q[1], c[2] - q[2]];
                    on_edge && dot(e, e) <= *len2
                })
            }
            Region::Polygon(loops) => self.meets(loops, r),
            Region::Union(polys) => polys.iter().any(|l| self.meets(l, r)),
        }
    }

    fn meets(&self, loops: &[Loop], r: &Region) -> bool {
        self.corners.iter().any(|p| r.contains(*p))
            || loops.iter().any(|l| {
                l.v.iter().any(|p| self.holds(*p))
                    || (0..l.v.len()).any(|i| {
                        let (a, b) = (l.v[i], l.v[(i + 1) % l.v.len()]);
                        self.edges().any(|(c, d)| crosses(a, b, c, d))
                    })
            })
    }
}

/// Whether the server can index the region: its S2 covering (geo_region_cover: min level 1,
/// at most 12 cells) has more than 12 cells, and the write (AS_ERR_GEO_INVALID_GEOJSON) or
/// query (AS_ERR_PARAMETER) fails, when the region meets more than 12 of the 24 level-1 cells.
/// A polygon whose edges cross (a self-crossing loop, or loops crossing each other) is not a
/// valid S2Polygon; its covering comes out far too large, so it fails the same way.
pub fn coverable(s: &Shape) -> bool {
    match s {
        Shape::Point(_) => true,
        Shape::Region(r) => {
            let crossing = match r {
                Region::Cap(..) => false,
                Region::Polygon(loops) => edges_cross(loops),
                Region::Union(polys) => polys.iter().any(|l| edges_cross(l)),
            };
            !crossing && quadrants().iter().filter(|q| q.intersects(r)).count() <= 12
        }
    }
}

fn edges_cross(loops: &[Loop]) -> bool {
    let edges: Vec<(P, P)> =
        loops.iter().flat_map(|l| (0..l.v.len()).map(move |i| (l.v[i], l.v[(i + 1) % l.v.len()]))).collect();
    // Edges that share a vertex meet there (and rounding could call that a crossing): skipped.
    let apart = |(a, b): (P, P), (c, d): (P, P)| a != c && a != d && b != c && b != d;
    (0..edges.len()).any(|i| {
        (i + 1..edges.len()).any(|j| apart(edges[i], edges[j]) && crosses(edges[i].0, edges[i].1, edges[j].0, edges[j].1))
    })
}

/// Whether segment ab crosses segment cd at a point interior to both (S2 SimpleCrossing).
fn crosses(a: P, b: P, c: P, d: P) -> bool {
    let ab = cross(a, b);
    let acb = -dot(ab, c);
    let bda = dot(ab, d);
    if acb * bda <= 0.0 {
        return false;
    }
    let cd = cross(c, d);
    let cbd = -dot(cd, b);
    let dac = dot(cd, a);
    acb * cbd > 0.0 && acb * dac > 0.0
}

/// The length of the longitude interval the loop's edges cover (2 pi when they go all round).
/// An edge shorter than 180 degrees that misses the poles moves monotonically in longitude, the
/// short way round, so the loop's bound is the union of its edges' longitude intervals.
fn lng_span(v: &[P]) -> f64 {
    let lng = |p: P| p[1].atan2(p[0]);
    let n = v.len();
    let mut arcs: Vec<(f64, f64)> = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (lng(v[i]), lng(v[(i + 1) % n]));
        let mut d = b - a;
        if d > PI {
            d -= 2.0 * PI;
        } else if d < -PI {
            d += 2.0 * PI;
        }
        let start = if d >= 0.0 { a } else { a + d };
        arcs.push(((start + 2.0 * PI) % (2.0 * PI), d.abs()));
    }
    arcs.sort_by(|x, y| x.0.total_cmp(&y.0));
    // The largest gap between the covered arcs, going round the circle twice.
    let mut reach = arcs[0].0 + arcs[0].1;
    let mut gap: f64 = 0.0;
    for k in 1..=2 * arcs.len() {
        let (s, l) = arcs[k % arcs.len()];
        let s = s + 2.0 * PI * (k / arcs.len()) as f64;
        gap = gap.max(s - reach);
        reach = reach.max(s + l);
    }
    (2.0 * PI - gap).max(0.0)
}

/// One polygon loop, normalized like S2Loop::Normalize.
#[derive(Debug, Clone)]
pub struct Loop {
    v: Vec<P>,
    /// A point just left of the first edge: inside the loop as given (interior on the left).
    reference: P,
    /// The loop as given enclosed more than half the sphere, so its complement is used.
    inverted: bool,
}

impl Loop {
    fn new(v: Vec<P>) -> Loop {
        let n = v.len();
        // Turning angle (S2Loop::GetCurvature): negative when the left side is the larger one.
        let mut turning = 0.0;
        for i in 0..n {
            let (a, b, c) = (v[(i + n - 1) % n], v[i], v[(i + 1) % n]);
            let t = angle(cross(a, b), cross(b, c));
            turning += if dot(cross(a, b), c) > 0.0 { t } else { -t };
        }
        let mid = norm([v[0][0] + v[1][0], v[0][1] + v[1][1], v[0][2] + v[1][2]]);
        let left = norm(cross(v[0], v[1]));
        let e = 1e-9;
        let reference = norm([mid[0] + e * left[0], mid[1] + e * left[1], mid[2] + e * left[2]]);
        let mut l = Loop { v, reference, inverted: false };
        // S2Loop::IsNormalized: a loop whose latitude-longitude bound spans less than 180 degrees
        // of longitude is normalized whatever its curvature (which decides for self-crossing
        // loops); the bound is full in longitude when the loop as given holds the north pole.
        // Otherwise the loop is inverted when its curvature is below minus its error bound.
        let max_error = 11.25 * f64::EPSILON * n as f64;
        let span = if l.contains([0.0, 0.0, 1.0]) { 2.0 * PI } else { lng_span(&l.v) };
        l.inverted = span >= PI && turning < -max_error;
        l
    }

    fn contains(&self, p: P) -> bool {
        let n = self.v.len();
        let mut inside = true; // the reference point is inside the loop as given
        for i in 0..n {
            if crosses(self.reference, p, self.v[i], self.v[(i + 1) % n]) {
                inside = !inside;
            }
        }
        inside != self.inverted
    }
}

/// A region a GeoJSON text describes.
#[derive(Debug, Clone)]
pub enum Region {
    /// AeroCircle: centre and S1ChordAngle length² of the radius.
    Cap(P, f64),
    /// Polygon: the points inside an odd number of its loops.
    Polygon(Vec<Loop>),
    /// MultiPolygon: the union of its polygons.
    Union(Vec<Vec<Loop>>),
}

impl Region {
    pub fn contains(&self, p: P) -> bool {
        let in_polygon = |loops: &[Loop]| loops.iter().filter(|l| l.contains(p)).count() % 2 == 1;
        match self {
            Region::Cap(c, len2) => {
                let d = [c[0] - p[0], c[1] - p[1], c[2] - p[2]];
                dot(d, d).min(4.0) <= *len2
            }
            Region::Polygon(loops) => in_polygon(loops),
            Region::Union(polys) => polys.iter().any(|l| in_polygon(l)),
        }
    }
}

/// A parsed GeoJSON geometry: a point (snapped to its leaf cell centre) or a region.
#[derive(Debug, Clone)]
pub enum Shape {
    Point(P),
    Region(Region),
}

fn point(c: Option<&Json>) -> Result<P, String> {
    let Some(Json::Arr(xy)) = c else {
        return Err(if c.is_none() { "missing coordinates" } else { "coordinates are not array" }.into());
    };
    if xy.len() != 2 {
        return Err(format!("expected 2 coordinates, saw {}", xy.len()));
    }
    let lng = xy[0].number().ok_or("longitude not numeric value")?;
    let lat = xy[1].number().ok_or("latitude not numeric value")?;
    latlng_point(lng, lat).ok_or_else(|| "invalid latitude-longitude".into())
}

fn array<'a>(c: Option<&'a Json>, what: &str) -> Result<&'a [Json], String> {
    match c {
        Some(Json::Arr(items)) => Ok(items),
        None => Err(format!("missing {what}")),
        Some(_) => Err(format!("{what} is not array")),
    }
}

fn polygon(c: Option<&Json>) -> Result<Vec<Loop>, String> {
    let loops = array(c, "polygon body")?;
    let mut out = Vec::new();
    for l in loops {
        let mut pts = array(Some(l), "vertices")?.iter().map(|p| point(Some(p))).collect::<Result<Vec<_>, _>>()?;
        pts.dedup();
        if pts.len() < 4 {
            return Err("loop contains less than 4 points".into());
        }
        if pts[0] != pts[pts.len() - 1] {
            return Err("loop not closed".into());
        }
        pts.pop();
        out.push(Loop::new(pts));
    }
    Ok(out)
}

fn geometry(g: &Json, top: bool) -> Result<Shape, String> {
    let ty = match g.get("type") {
        Some(Json::Str(t)) => t.as_str(),
        Some(_) => return Err("geometry type is not string".into()),
        None => return Err("missing geometry type".into()),
    };
    let coords = g.get("coordinates");
    match ty {
        "Feature" if top => match g.get("geometry") {
            Some(inner @ Json::Obj(_)) => geometry(inner, false),
            Some(_) => Err("geometry is not object".into()),
            None => Err("missing geometry element".into()),
        },
        "Point" => Ok(Shape::Point(leaf_center(point(coords)?))),
        "Polygon" => {
            array(coords, "coordinates")?;
            Ok(Shape::Region(Region::Polygon(polygon(coords)?)))
        }
        "MultiPolygon" => {
            let polys = array(coords, "coordinates")?;
            Ok(Shape::Region(Region::Union(polys.iter().map(|p| polygon(Some(p))).collect::<Result<_, _>>()?)))
        }
        "AeroCircle" => {
            let c = array(coords, "coordinates")?;
            if c.len() != 2 {
                return Err("malformed circle coordinate array".into());
            }
            let center = point(Some(&c[0]))?;
            let radius = c[1].number().ok_or("radius not numeric value")?;
            // S2Cap(center, S1Angle) keeps min(angle, pi) as an S1ChordAngle.
            let a = radius / EARTH_RADIUS_M;
            let len2 = if a < 0.0 {
                -1.0
            } else {
                let len = 2.0 * (0.5 * a.min(PI)).sin();
                len * len
            };
            Ok(Shape::Region(Region::Cap(center, len2)))
        }
        other => Err(format!("unknown geometry type: {other}")),
    }
}

/// Parses a GeoJSON text as geo_parse does; Err is the server's reason (it logs it).
pub fn parse(text: &[u8]) -> Result<Shape, String> {
    let j = parse_json(text).map_err(|e| format!("failed to parse geojson: {e}"))?;
    if !matches!(j, Json::Obj(_)) {
        return Err("top level geojson element not object".into());
    }
    geometry(&j, true)
}

/// as_geojson_match (strict): a point query matches regions containing it; a region query
/// matches points within it; a point never matches a point, nor a region a region.
pub fn matches(candidate: &Shape, query: &Shape) -> bool {
    match (candidate, query) {
        (Shape::Region(r), Shape::Point(p)) | (Shape::Point(p), Shape::Region(r)) => r.contains(*p),
        _ => false,
    }
}

/// The GeoJSON text of a stored GeoJSON particle: flags (1), ncells (2, big-endian), cells, text.
pub fn particle_text(data: &[u8]) -> Option<&[u8]> {
    let ncells = u16::from_be_bytes([*data.get(1)?, *data.get(2)?]) as usize;
    data.get(3 + ncells * 8..)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(s: &str) -> Shape {
        parse(s.as_bytes()).unwrap()
    }

    fn pt(lng: f64, lat: f64) -> Shape {
        shape(&format!(r#"{{"type": "Point", "coordinates": [{lng}, {lat}]}}"#))
    }

    #[test]
    fn rejects_what_the_server_rejects() {
        for bad in [
            "", "abc", "[1]", "1", r#"{"type": 1}"#, r#"{"coordinates": [1, 2]}"#, r#"{"type": "Line"}"#,
            r#"{"type": "Point", "coordinates": [1]}"#, r#"{"type": "Point", "coordinates": [1, 91]}"#,
            r#"{"type": "Point", "coordinates": [181, 1]}"#, r#"{"type": "Point", "coordinates": ["1", 1]}"#,
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}"#,
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}"#,
            r#"{"type": "AeroCircle", "coordinates": [[0, 0]]}"#, r#"{"type": "Point", "coordinates": [1, 2]} x"#,
            r#"{"type": "Point", "coordinates": [01, 2]}"#,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn points_in_polygons_with_holes() {
        let square = shape(
            r#"{"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]], [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#,
        );
        assert!(matches(&pt(2.0, 2.0), &square));
        assert!(!matches(&pt(5.0, 5.0), &square)); // in the hole
        assert!(!matches(&pt(11.0, 5.0), &square));
        // Clockwise input is the same polygon (the loop is normalized).
        let cw = shape(r#"{"type": "Polygon", "coordinates": [[[0,0],[0,10],[10,10],[10,0],[0,0]]]}"#);
        assert!(matches(&pt(5.0, 5.0), &cw));
        assert!(!matches(&pt(-5.0, 5.0), &cw));
        // Edges are great circles, not parallels: at 20 E the edge from (0, 50) to (40, 50)
        // runs at 51.7 N, and the one from (40, 60) to (0, 60) at 61.5 N.
        let band = shape(r#"{"type": "Polygon", "coordinates": [[[0,50],[40,50],[40,60],[0,60],[0,50]]]}"#);
        assert!(!matches(&pt(20.0, 51.0), &band));
        assert!(matches(&pt(20.0, 61.2), &band));
    }

    #[test]
    fn circles_and_regions_containing_points() {
        let c = shape(r#"{"type": "AeroCircle", "coordinates": [[-122.0, 37.5], 250.2]}"#);
        assert!(matches(&pt(-122.0, 37.5), &c));
        assert!(matches(&pt(-122.0, 37.502), &c)); // 222 m north
        assert!(!matches(&pt(-122.0, 37.503), &c)); // 333 m north
        assert!(matches(&c, &pt(-122.0, 37.5)));
        assert!(!matches(&c, &c));
    }

    #[test]
    fn what_the_server_cannot_cover_is_refused() {
        // Checked against a real 8.1.2 server: a bow-tie and a cap of 20000 km fail (160), a
        // triangle whose first edge crosses the south pole does not.
        assert!(!coverable(&shape(r#"{"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}"#)));
        assert!(!coverable(&shape(r#"{"type": "AeroCircle", "coordinates": [[0, 0], 20000000]}"#)));
        assert!(coverable(&shape(r#"{"type": "Polygon", "coordinates": [[[-10, -80], [170, -80], [-100, -80], [-10, -80]]]}"#)));
        assert!(coverable(&shape(r#"{"type": "AeroCircle", "coordinates": [[0, 0], 1000000]}"#)));
    }

    #[test]
    fn a_clockwise_small_loop_is_the_small_region() {
        let cw = shape(r#"{"type": "Polygon", "coordinates": [[[173.6, 3.3], [173.65, 3.35], [173.7, 3.3], [173.6, 3.3]]]}"#);
        assert!(matches(&pt(173.65, 3.32), &cw));
        assert!(!matches(&pt(0.0, 0.0), &cw));
    }

    #[test]
    fn leaf_centres_are_within_a_centimetre() {
        for (lng, lat) in [(0.0, 0.0), (-122.3, 37.8), (179.9, -89.9), (45.0, 45.0)] {
            let p = latlng_point(lng, lat).unwrap();
            let q = leaf_center(p);
            assert!(angle(p, q) * EARTH_RADIUS_M < 0.01);
        }
    }
}
