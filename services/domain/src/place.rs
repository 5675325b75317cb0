//! Places inside a grid: its buildings and their units, as residents name them
//! (「3号楼」「2单元」), so a resident picks where the problem is instead of typing
//! an address, and the issue goes to the grid that holds the building. A phone's
//! GPS point, when given, is coarsened here before anything keeps it.

use serde::{Deserialize, Serialize};

use crate::{DomainError, Name, Refusal};

/// At most this many buildings in one grid, and units in one building: a grid
/// serves some hundreds of households, a few dozen buildings at most. The bounds
/// also bound what `Jurisdiction.buildings` costs to ask (`api/src/cost.rs`).
pub const MAX_BUILDINGS: usize = 100;
pub const MAX_UNITS: usize = 12;

/// A building of a grid and its units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Building {
    pub name: Name,
    pub units: Vec<Name>,
}

/// The buildings of one grid, checked: bounded, and no name twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Building>", into = "Vec<Building>")]
pub struct Buildings(Vec<Building>);

impl Buildings {
    pub fn new(buildings: Vec<Building>) -> Result<Buildings, DomainError> {
        if buildings.len() > MAX_BUILDINGS {
            return Err(
                DomainError::validation("buildings", Refusal::TOO_MANY).with("max", MAX_BUILDINGS)
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for b in &buildings {
            if !seen.insert(b.name.as_str()) {
                return Err(DomainError::validation("buildings", Refusal::PLACE_TWICE)
                    .with("place", &b.name));
            }
            if b.units.len() > MAX_UNITS {
                return Err(
                    DomainError::validation("units", Refusal::TOO_MANY).with("max", MAX_UNITS)
                );
            }
            let mut units = std::collections::BTreeSet::new();
            if let Some(twice) = b.units.iter().find(|u| !units.insert(u.as_str())) {
                return Err(DomainError::validation("units", Refusal::PLACE_TWICE)
                    .with("place", format!("{} {twice}", b.name)));
            }
        }
        Ok(Buildings(buildings))
    }

    pub fn as_slice(&self) -> &[Building] {
        &self.0
    }

    /// Whether the spot names a building here (and, when it names a unit, one of its units).
    pub fn contains(&self, spot: &Spot) -> bool {
        self.0.iter().any(|b| {
            b.name == spot.building && spot.unit.as_ref().is_none_or(|u| b.units.contains(u))
        })
    }
}

impl TryFrom<Vec<Building>> for Buildings {
    type Error = DomainError;
    fn try_from(v: Vec<Building>) -> Result<Buildings, DomainError> {
        Buildings::new(v)
    }
}

impl From<Buildings> for Vec<Building> {
    fn from(b: Buildings) -> Vec<Building> {
        b.0
    }
}

/// Where in its grid an issue is: a building, and perhaps one of its units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spot {
    pub building: Name,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::event::present"
    )]
    pub unit: Option<Name>,
}

/// A point from a phone's GPS, coarsened to a grid of 0.001° (about 110 m north to
/// south, 85 m east to west at Tieling's 42°N): near enough for a grid worker to
/// find the place, too coarse to single out a door. It is personal data: kept in
/// the vault, shown to staff only, never in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoarsePoint {
    /// Latitude and longitude in thousandths of a degree.
    pub lat_milli: i32,
    pub lon_milli: i32,
}

impl CoarsePoint {
    /// Coarsens a point; refuses what is not on Earth.
    pub fn coarsen(latitude: f64, longitude: f64) -> Result<CoarsePoint, DomainError> {
        let on_earth = latitude.is_finite()
            && longitude.is_finite()
            && (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude);
        if !on_earth {
            return Err(DomainError::validation("location", Refusal::BAD_LOCATION));
        }
        Ok(CoarsePoint {
            lat_milli: (latitude * 1000.0).round() as i32,
            lon_milli: (longitude * 1000.0).round() as i32,
        })
    }

    pub fn latitude(&self) -> f64 {
        f64::from(self.lat_milli) / 1000.0
    }

    pub fn longitude(&self) -> f64 {
        f64::from(self.lon_milli) / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).expect("valid")
    }

    fn building(n: &str, units: &[&str]) -> Building {
        Building {
            name: name(n),
            units: units.iter().map(|u| name(u)).collect(),
        }
    }

    #[test]
    fn a_spot_must_name_a_building_and_unit_of_the_grid() {
        let here = Buildings::new(vec![building("3号楼", &["1单元", "2单元"])]).expect("valid");
        let spot = |b: &str, u: Option<&str>| Spot {
            building: name(b),
            unit: u.map(name),
        };
        assert!(here.contains(&spot("3号楼", None)));
        assert!(here.contains(&spot("3号楼", Some("2单元"))));
        assert!(!here.contains(&spot("3号楼", Some("3单元"))));
        assert!(!here.contains(&spot("4号楼", None)));
    }

    #[test]
    fn a_name_twice_or_too_many_is_refused() {
        let twice = Buildings::new(vec![building("3号楼", &[]), building("3号楼", &[])]);
        assert_eq!(twice.expect_err("refused").refusal(), Refusal::PLACE_TWICE);
        let units = Buildings::new(vec![building("3号楼", &["1单元", "1单元"])]);
        assert_eq!(units.expect_err("refused").refusal(), Refusal::PLACE_TWICE);
        let many = Buildings::new(
            (0..=MAX_BUILDINGS)
                .map(|i| building(&format!("{i}号楼"), &[]))
                .collect(),
        );
        assert_eq!(many.expect_err("refused").refusal(), Refusal::TOO_MANY);
    }

    #[test]
    fn a_gps_point_is_kept_to_a_thousandth_of_a_degree() {
        // 铁岭 城区, to the metre.
        let p = CoarsePoint::coarsen(42.223_456_7, 123.726_543_2).expect("on Earth");
        assert_eq!((p.lat_milli, p.lon_milli), (42_223, 123_727));
        assert!((p.latitude() - 42.223).abs() < 1e-9);
        // Two doors 30 m apart fall on the same point.
        let q = CoarsePoint::coarsen(42.223_2, 123.726_8).expect("on Earth");
        assert_eq!(p, q);
        for (lat, lon) in [
            (91.0, 0.0),
            (0.0, 181.0),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            assert_eq!(
                CoarsePoint::coarsen(lat, lon)
                    .expect_err("refused")
                    .refusal(),
                Refusal::BAD_LOCATION
            );
        }
    }
}
