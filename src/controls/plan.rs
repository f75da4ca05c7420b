//! Which revision of each control applies at a level and policy version: worked out once,
//! when the policy is compiled, from the table.
//!
//! The planner works on any table ([`plan`], [`row`], [`in_force`]); the policy's own plan
//! is [`CONTROLS`]'s, and the unit tests below plan small made-up tables as well.

use super::registry::{revision_index, Control, ControlId, Level, Revision};
use super::table::{CONTROLS, NEWEST_KNOWN_MINOR};

pub const CONTROL_COUNT: usize = CONTROLS.len();
const VERSIONS: usize = NEWEST_KNOWN_MINOR as usize + 1;

/// For each level (baseline, restricted), each policy version `v1.0` to `v1.<V - 1>` and
/// each of a table's `N` controls, the number of the control's revision in force there,
/// from 1 (0: the control does not apply).
pub(super) type Plan<const N: usize, const V: usize> = [[[u8; N]; V]; 2];

/// [`CONTROLS`]'s plan. Worked out when the policy is compiled, so that neither a fresh
/// instance nor a request pays for it.
static PLAN: Plan<CONTROL_COUNT, VERSIONS> = plan(CONTROLS);

/// The plan of `table` (of `N` controls) for versions `v1.0` to `v1.<V - 1>`.
pub(super) const fn plan<const N: usize, const V: usize>(table: &[Control]) -> Plan<N, V> {
    assert!(table.len() == N && N <= u8::MAX as usize);
    let mut plan = [[[0; N]; V]; 2];
    let mut minor = 0;
    while minor < V {
        let mut c = 0;
        while c < N {
            let control = &table[c];
            if let Some(revision) = revision_index(control, minor as u32) {
                let number = revision as u8 + 1;
                // Restricted includes baseline, less the baseline controls it replaces.
                match control.level {
                    Level::Baseline => {
                        plan[0][minor][c] = number;
                        if !overridden(table, control.id, minor as u32) {
                            plan[1][minor][c] = number;
                        }
                    }
                    Level::Restricted => plan[1][minor][c] = number,
                    Level::Privileged => {}
                }
            }
            c += 1;
        }
        minor += 1;
    }
    plan
}

/// Whether a restricted control of `table` in force at `minor` replaces the baseline
/// control `id`.
const fn overridden(table: &[Control], id: ControlId, minor: u32) -> bool {
    let mut c = 0;
    while c < table.len() {
        let control = &table[c];
        if let (Level::Restricted, Some(r)) = (control.level, revision_index(control, minor)) {
            let overrides = control.revisions[r].overrides;
            let mut o = 0;
            while o < overrides.len() {
                if overrides[o].index() == id.index() {
                    return true;
                }
                o += 1;
            }
        }
        c += 1;
    }
    false
}

/// The row of `plan` for `level` and `v1.<minor>`: a version newer than the plan's newest
/// is planned as that one; `None` at `privileged`, where no control applies.
pub(super) fn row<const N: usize, const V: usize>(
    plan: &Plan<N, V>,
    level: Level,
    minor: u32,
) -> Option<&[u8; N]> {
    let minor = (minor as usize).min(V - 1);
    match level {
        Level::Privileged => None,
        Level::Baseline => Some(&plan[0][minor]),
        Level::Restricted => Some(&plan[1][minor]),
    }
}

/// The controls of `table` that a row of its plan says apply, each with its place in the
/// table and its revision in force, in table order.
pub(super) fn in_force<'t>(
    table: &'t [Control],
    row: &'t [u8],
) -> impl Iterator<Item = (usize, &'t Control, &'t Revision)> {
    table
        .iter()
        .zip(row)
        .enumerate()
        .filter_map(|(place, (control, &number))| {
            let index = usize::from(number.checked_sub(1)?);
            Some((place, control, control.revisions.get(index)?))
        })
}

/// For each control (in [`CONTROLS`] order), the number of its revision in force at `level`
/// and `v1.<minor>`, from 1; 0 where the control does not apply (every control at
/// `privileged`).
pub fn revision_numbers(level: Level, minor: u32) -> &'static [u8; CONTROL_COUNT] {
    static NONE: [u8; CONTROL_COUNT] = [0; CONTROL_COUNT];
    row(&PLAN, level, minor).unwrap_or(&NONE)
}

/// The revisions that apply at `level` and policy version `v1.<minor>`, in message order.
pub fn checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (&'static Control, &'static Revision)> {
    indexed_checks_at(level, minor).map(|(_, control, revision)| (control, revision))
}

/// [`checks_at`], with each control's place in [`CONTROLS`] (its place in a message).
pub fn indexed_checks_at(
    level: Level,
    minor: u32,
) -> impl Iterator<Item = (usize, &'static Control, &'static Revision)> {
    in_force(CONTROLS, revision_numbers(level, minor))
}

#[cfg(test)]
mod tests;
