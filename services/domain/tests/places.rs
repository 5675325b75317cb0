//! Places in a grid: given a grid, when its buildings are set or an issue names
//! one, then…

mod world;

use roundtable_domain::*;
use world::*;

fn buildings(list: &[(&str, &[&str])]) -> Buildings {
    Buildings::new(
        list.iter()
            .map(|(b, units)| Building {
                name: name(b),
                units: units.iter().map(|u| name(u)).collect(),
            })
            .collect(),
    )
    .unwrap()
}

fn set(list: &[(&str, &[&str])]) -> JurisdictionCommand {
    JurisdictionCommand::SetBuildings {
        buildings: buildings(list),
    }
}

fn refusal(result: Result<Vec<Event>, DomainError>) -> Refusal {
    result.expect_err("refused").refusal()
}

#[test]
fn the_grid_worker_serving_a_grid_lists_its_buildings_and_no_one_else_may() {
    let w = world();
    let given = [grid_created("j_community")];
    let events = decide::<Jurisdiction>(
        &j("j_grid1"),
        &given,
        set(&[("3号楼", &["1单元", "2单元"])]),
        "grid_worker_inside",
        &w,
    )
    .unwrap();
    assert_eq!(
        events,
        vec![Event::Jurisdiction(JurisdictionEvent::BuildingsSet {
            buildings: buildings(&[("3号楼", &["1单元", "2单元"])]),
        })]
    );
    for who in [
        "grid_worker_outside",
        "resident_verified",
        "committee_this_council",
        "auditor",
    ] {
        let result = decide::<Jurisdiction>(&j("j_grid1"), &given, set(&[("3号楼", &[])]), who, &w);
        assert_eq!(refusal(result), Refusal::ONLY_STAFF_OF_PLACE, "{who}");
    }
    let anonymous = decide::<Jurisdiction>(&j("j_grid1"), &given, set(&[]), "anonymous", &w);
    assert_eq!(refusal(anonymous), Refusal::SIGN_IN_FIRST);
}

#[test]
fn buildings_belong_to_grids_and_the_same_list_again_changes_nothing() {
    let w = world();
    let community = [Event::Jurisdiction(
        JurisdictionEvent::JurisdictionCreated {
            kind: JurisdictionKind::Community,
            name: name("银网社区"),
            parent: Some(j("j_street")),
        },
    )];
    let result = decide::<Jurisdiction>(
        &j("j_community"),
        &community,
        set(&[("3号楼", &[])]),
        "administrator",
        &w,
    );
    assert_eq!(refusal(result), Refusal::PLACES_ON_GRIDS_ONLY);

    let given = [
        grid_created("j_community"),
        Event::Jurisdiction(JurisdictionEvent::BuildingsSet {
            buildings: buildings(&[("3号楼", &[])]),
        }),
    ];
    let again = decide::<Jurisdiction>(
        &j("j_grid1"),
        &given,
        set(&[("3号楼", &[])]),
        "administrator",
        &w,
    );
    assert_eq!(refusal(again), Refusal::UNCHANGED);
    let missing = decide::<Jurisdiction>(&j("j_new"), &[], set(&[]), "administrator", &w);
    assert_eq!(refusal(missing), Refusal::JURISDICTION_NOT_FOUND);
}

fn raise_at(spot: Option<(&str, Option<&str>)>, jurisdiction: Option<&str>) -> IssueCommand {
    IssueCommand::Raise(RaiseIssue {
        text: IssueText::new("楼道灯不亮", "晚上看不见台阶", "楼梯口").unwrap(),
        category: Category::Other,
        jurisdiction: jurisdiction.map(j),
        on_behalf_of: None,
        photos: vec![],
        spot: spot.map(|(b, u)| Spot {
            building: name(b),
            unit: u.map(name),
        }),
    })
}

#[test]
fn an_issue_names_a_building_and_unit_its_grid_lists_or_is_refused() {
    let mut w = world();
    w.buildings
        .insert(j("j_grid1"), buildings(&[("3号楼", &["1单元", "2单元"])]));
    let id = IssueId::parse("i_1").unwrap();
    let raise = |command| decide::<Issue>(&id, &[], command, "resident_verified", &w);

    let events = raise(raise_at(Some(("3号楼", Some("2单元"))), None)).unwrap();
    let Event::Issue(IssueEvent::IssueRaised {
        spot, jurisdiction, ..
    }) = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(
        jurisdiction,
        &j("j_grid1"),
        "the grid that holds the building"
    );
    assert_eq!(
        spot.as_ref()
            .map(|s| (s.building.as_str(), s.unit.as_ref().map(Name::as_str))),
        Some(("3号楼", Some("2单元")))
    );
    assert!(raise(raise_at(Some(("3号楼", None)), None)).is_ok());
    assert!(raise(raise_at(None, None)).is_ok(), "the spot is optional");

    for (spot, at) in [
        (("3号楼", Some("9单元")), None),
        (("8号楼", None), None),
        // The community lists no buildings of its own: a spot names a grid's.
        (("3号楼", None), Some("j_community")),
    ] {
        let refused = raise(raise_at(Some(spot), at)).expect_err("refused");
        assert_eq!(
            refused.refusal(),
            Refusal::SPOT_NOT_IN_GRID,
            "{spot:?} at {at:?}"
        );
        assert!(
            matches!(refused, DomainError::Validation { field: "spot", .. }),
            "{refused:?}"
        );
    }
}

#[test]
fn only_the_raiser_and_the_staff_of_the_place_may_see_where_it_was_raised_from() {
    let w = world();
    let id = IssueId::parse("i_1").unwrap();
    let events = decide::<Issue>(&id, &[], raise_at(None, None), "resident_verified", &w).unwrap();
    let state = Issue::replay(&events);
    for (who, may) in [
        ("resident_verified", true),
        ("grid_worker_inside", true),
        ("committee_this_council", true),
        ("grid_worker_outside", false),
        ("committee_other_council", false),
        ("resident_unverified", false),
        ("auditor", false),
        ("anonymous", false),
    ] {
        assert_eq!(may_see_raised_from(&actor(who), &w, &state), may, "{who}");
    }
}
