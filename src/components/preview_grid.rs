use employee_import::{Assessment, Field, Lang, Mode, Operation, RowState, Severity};
use leptos::html;
use leptos::prelude::*;

use crate::after_paint;
use crate::i18n::text;

/// Height of one row in pixels; fixed so the visible window can be computed
/// from the scroll position alone. Must match `.grid__row` in the CSS.
/// Whole pixels: positions are integers, and the page formats no float.
pub const ROW_HEIGHT: i32 = 44;
/// Rows rendered above and below the visible ones, for smooth scrolling.
const OVERSCAN: usize = 8;

/// A column of the grid and how many errors it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnView {
    pub field: Field,
    /// The admin's own header for the column that feeds `field`, or the
    /// field's name in the page's language where no column feeds it.
    pub header: String,
    pub errors: usize,
    /// Cells with a value the app proposes instead (see `apply_proposals`).
    pub proposals: usize,
    pub editable: bool,
    /// The longest value among the column's first rows, in characters:
    /// the column is as wide as its content (see `ColumnView::width`).
    pub content_chars: usize,
}

impl ColumnView {
    /// The admin's header, or the API's name where the sheet has none.
    pub fn title(&self) -> &str {
        if self.header.trim().is_empty() {
            self.field.api_name()
        } else {
            &self.header
        }
    }

    /// The column's least width in pixels: its header in bold (with its
    /// error count), the API's name beneath, or its longest value, within
    /// bounds that keep every column readable and none the whole screen.
    /// Pixels, not `ch`: the header's bold type would size its columns
    /// apart from the rows'.
    pub fn width(&self) -> usize {
        let badge = if self.errors > 0 { 28 } else { 0 };
        let header = self.title().chars().count() * 11 + badge;
        let api = self.field.api_name().len() * 7;
        let content = self.content_chars.min(32) * 9 + 8;
        header.max(api).max(content).clamp(48, 300) + 16
    }
}

/// How much of the grid shows: its height, and never more than the
/// window's, so that a grid its styles do not bound builds one screen of
/// rows, not all of them.
fn view_height(element: &web_sys::HtmlDivElement) -> i32 {
    let window = window()
        .inner_height()
        .ok()
        .and_then(|height| height.as_f64())
        .map_or(i32::MAX, |height| height as i32);
    element.client_height().min(window)
}

/// The grid's columns: row number, one per field sized to its content
/// (space to spare shared in proportion), status, include; and the least
/// width a row needs.
fn column_template(columns: &[ColumnView]) -> (String, String) {
    let widths: Vec<usize> = columns.iter().map(ColumnView::width).collect();
    let fields: String = widths
        .iter()
        .map(|w| format!(" minmax({w}px, {w}fr)"))
        .collect();
    // The status takes most of the room to spare: its reasons are long.
    let template = format!("56px{fields} minmax(280px, 1000fr) 84px");
    let least = 56 + widths.iter().sum::<usize>() + 280 + 84;
    (template, format!("{least}px"))
}

/// One cell: its text and, when something is wrong, what.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CellView {
    pub field: Field,
    pub text: String,
    pub issue: Option<(Severity, String)>,
    /// The value the app proposes instead, when it has one.
    pub proposal: Option<String>,
    /// What an update changes here: "old → new".
    pub change: Option<String>,
    /// The stored value an empty cell of an update keeps.
    pub kept: Option<String>,
    /// The sheet's text, when the value sent was tidied from it.
    pub tidied: Option<String>,
    /// The serials a tag or organization written by name is sent as.
    pub named: Option<String>,
}

/// What the grid shows for one data row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowView {
    /// The row number in the user's spreadsheet.
    pub number: u32,
    pub cells: Vec<CellView>,
    /// Every problem of the row in words, errors first.
    pub problems: Vec<(Severity, String)>,
    pub state: RowState,
    /// For a row not sent yet: what pre-flight says it would do.
    pub assessment: Option<Assessment>,
    pub operation: Operation,
    /// The row's e-mail change, when it is part of one.
    pub email_state: Option<RowState>,
    /// The row asks for another e-mail address.
    pub email_change: bool,
    /// Whether the row goes out with the next send (the include box).
    pub included: bool,
    /// Whether the admin can tick or untick it.
    pub toggle: bool,
}

/// Where the keyboard takes focus from a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    /// The next cell with an error: later in the row, then below.
    NextError,
}

/// The rows of the sheet, virtualized: only the rows in view (and a few
/// around them) are in the DOM, however many the sheet has.
#[component]
pub fn PreviewGrid(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] mode: Signal<Mode>,
    #[prop(into)] columns: Signal<Vec<ColumnView>>,
    /// How many rows pass the filter.
    #[prop(into)]
    total: Signal<usize>,
    /// Builds the view of the n-th row that passes the filter.
    row_at: Callback<usize, Option<RowView>>,
    /// What the rows are of (the file on screen): the rows of another are
    /// built a screen first, the rows around it in the next frames.
    #[prop(into)]
    source: Signal<Option<String>>,
    /// Positions (among the filtered rows) of rows with errors.
    #[prop(into)]
    error_positions: Signal<Vec<usize>>,
    /// Whether cells can be edited now: not while the file is still being
    /// read or re-validated. A signal, not part of each row: a row is built
    /// again whenever its view changes, and every row on screen changing at
    /// once is a long task.
    #[prop(into)]
    editable: Signal<bool>,
    on_edit: Callback<(u32, Field, String)>,
    /// Apply every proposed value of a column.
    on_apply_all: Callback<Field>,
    on_exclude: Callback<(u32, bool)>,
) -> impl IntoView {
    let viewport = NodeRef::<html::Div>::new();
    // The cell last focused, as the bar above the grid explains it.
    let selected = RwSignal::new(None::<Selected>);
    let scroll_top = RwSignal::new(0_i32);
    let viewport_height = RwSignal::new(600_i32);
    let focus_cell = RwSignal::new(None::<(u32, Field)>);
    let notice = RwSignal::new(None::<String>);

    // The grid is built empty. Once the frame that lays it out is painted
    // (its height is then read without forcing a layout), its first screen
    // of rows is built, and the rows around that screen after the frames
    // that follow: each a task of its own, and each frame lays out and
    // paints the rows of one step only, none holding the page long. The
    // rows of another file come the same way, a screen first: they
    // replace every row on screen.
    let built = RwSignal::new((None::<String>, 0_u8));
    let build_around = move |of: Option<String>| {
        // `try_`: the grid may be gone by then.
        after_paint(move || {
            built.try_set((of.clone(), 2));
            after_paint(move || {
                built.try_set((of, 3));
            });
        });
    };
    viewport.on_load(move |element| {
        after_paint(move || {
            if element.client_height() > 0 {
                viewport_height.try_set(view_height(&element));
            }
            let of = source.try_get_untracked().flatten();
            built.try_set((of.clone(), 1));
            build_around(of);
        });
    });
    Effect::new(move |_| {
        let of = source.get();
        if built.with_untracked(|(at, level)| *level > 0 && *at != of) {
            build_around(of);
        }
    });
    let window = Memo::new(move |_| {
        let level = built.with(|(at, level)| match level {
            0 => 0,
            _ if source.with(|of| of != at) => 1,
            level => *level,
        });
        let overscan = match level {
            0 => return (0, 0),
            1 => 0,
            2 => OVERSCAN / 2,
            _ => OVERSCAN,
        };
        let first = ((scroll_top.get().max(0) / ROW_HEIGHT) as usize).saturating_sub(overscan);
        let count =
            (viewport_height.get().max(0) as usize).div_ceil(ROW_HEIGHT as usize) + 2 * overscan;
        let end = (first + count).min(total.get());
        (first.min(end), end)
    });
    let visible = Memo::new(move |_| {
        let (first, end) = window.get();
        (first..end)
            .filter_map(|position| row_at.run(position).map(|row| (position, row)))
            .collect::<Vec<_>>()
    });

    let on_scroll = move |_| {
        if let Some(element) = viewport.get() {
            scroll_top.set(element.scroll_top());
            viewport_height.set(view_height(&element));
        }
    };
    // The error last jumped to; the next jump goes past it, or, the first
    // time, to the first error at or below the top of the view.
    let last_error = RwSignal::new(None::<usize>);
    let next_error = move |_| {
        let positions = error_positions.get_untracked();
        let target = match last_error.get_untracked() {
            Some(last) => positions.iter().copied().find(|&p| p > last),
            None => {
                let top = (scroll_top.get_untracked().max(0) / ROW_HEIGHT) as usize;
                positions.iter().copied().find(|&p| p >= top)
            }
        }
        .or_else(|| positions.first().copied());
        let Some(position) = target else {
            notice.set(Some(text(lang.get_untracked()).no_more_errors.to_owned()));
            return;
        };
        last_error.set(Some(position));
        notice.set(None);
        if let Some(row) = row_at.run(position) {
            let field = row
                .cells
                .iter()
                .find(|cell| matches!(cell.issue, Some((Severity::Error, _))))
                .map(|cell| cell.field);
            focus_cell.set(field.map(|field| (row.number, field)));
        }
        if let Some(element) = viewport.get() {
            let top = position as i32 * ROW_HEIGHT;
            element.set_scroll_top(top);
            scroll_top.set(top);
        }
    };

    // The grid is one Tab stop: the cell last focused (roving tabindex).
    let active = RwSignal::new(None::<(u32, Field)>);
    // The row whose "include" box takes the keyboard next: the boxes are
    // reached with the arrows, right of the last field, not each by Tab.
    let focus_include = RwSignal::new(None::<u32>);
    let include_had_focus = RwSignal::new(None::<u32>);
    // Brings the row at `position` into view, scrolling as little as can be.
    let reveal = move |position: usize| {
        let Some(element) = viewport.get_untracked() else {
            return;
        };
        let top = position as i32 * ROW_HEIGHT;
        let bottom = top + 2 * ROW_HEIGHT; // the row, below the sticky header
        let (now, height) = (element.scroll_top(), element.client_height());
        let to = if top < now {
            top
        } else if bottom > now + height {
            bottom - height
        } else {
            return;
        };
        element.set_scroll_top(to);
        scroll_top.set(to);
    };
    let first_error_in = move |row: &RowView, after: Option<Field>| {
        let start = after
            .and_then(|field| row.cells.iter().position(|cell| cell.field == field))
            .map_or(0, |index| index + 1);
        row.cells
            .iter()
            .skip(start)
            .find(|cell| matches!(cell.issue, Some((Severity::Error, _))))
            .map(|cell| cell.field)
    };
    let go = Callback::new(move |(position, field, step): (usize, Field, Move)| {
        let fields: Vec<Field> = columns.with_untracked(|c| c.iter().map(|c| c.field).collect());
        let column = fields.iter().position(|&f| f == field).unwrap_or(0);
        let last = total.get_untracked().saturating_sub(1);
        let target = match step {
            Move::Up => Some((position.saturating_sub(1), field)),
            Move::Down => Some((position.saturating_add(1).min(last), field)),
            Move::Left => Some((position, fields[column.saturating_sub(1)])),
            Move::Right if column + 1 >= fields.len() => {
                if let Some(row) = row_at.run(position) {
                    focus_include.set(Some(row.number));
                }
                return;
            }
            Move::Right => Some((position, fields[column + 1])),
            Move::NextError => {
                let here = row_at
                    .run(position)
                    .and_then(|row| first_error_in(&row, Some(field)))
                    .map(|field| (position, field));
                here.or_else(|| {
                    let positions = error_positions.get_untracked();
                    positions
                        .iter()
                        .copied()
                        .filter(|&p| p > position)
                        .find_map(|p| Some((p, first_error_in(&row_at.run(p)?, None)?)))
                })
            }
        };
        let Some((target, field)) = target else {
            notice.set(Some(text(lang.get_untracked()).no_more_errors.to_owned()));
            return;
        };
        notice.set(None);
        if let Some(row) = row_at.run(target) {
            reveal(target);
            last_error.set(Some(target));
            focus_cell.set(Some((row.number, field)));
        }
    });

    // From an "include" box: up and down to the next row's box, left back
    // to the row's last field.
    let go_include = Callback::new(move |(position, step): (usize, Move)| {
        let target = match step {
            Move::Up => position.saturating_sub(1),
            Move::Down => (position + 1).min(total.get_untracked().saturating_sub(1)),
            Move::Left => {
                let last = columns.with_untracked(|c| c.last().map(|c| c.field));
                if let (Some(row), Some(field)) = (row_at.run(position), last) {
                    focus_cell.set(Some((row.number, field)));
                }
                return;
            }
            _ => return,
        };
        if let Some(row) = row_at.run(target) {
            reveal(target);
            focus_include.set(Some(row.number));
        }
    });

    // Focus follows the user across re-renders: a cell asked for (after
    // an edit, by "next error", by a key) takes the keyboard at once if it
    // is on screen, else as it is built (see `GridCell`).
    Effect::new(move |_| {
        let Some((number, field)) = focus_cell.get() else {
            return;
        };
        let selector = format!(
            "[data-row=\"{number}\"] [data-field=\"{}\"]",
            field.api_name()
        );
        if focus_within(viewport, &selector) {
            focus_cell.set(None);
        }
    });
    Effect::new(move |_| {
        let Some(number) = focus_include.get() else {
            return;
        };
        let selector = format!("[data-row=\"{number}\"] input[type=\"checkbox\"]");
        if focus_within(viewport, &selector) {
            focus_include.set(None);
        }
    });

    // Number, one column per field, status, include.
    let sizes = Memo::new(move |_| columns.with(|columns| column_template(columns)));
    let template = Signal::derive(move || sizes.with(|(template, _)| template.clone()));
    let width = Signal::derive(move || sizes.with(|(_, least)| least.clone()));

    let header = move || {
        let t = text(lang.get());
        let cells = columns
            .get()
            .into_iter()
            .enumerate()
            .map(|(index, column)| {
                let errors = (column.errors > 0).then(|| {
                    view! { <span class="grid__error-count">{column.errors}</span> }
                });
                // The admin's header, and beneath it the API field it feeds.
                let api = (column.title() != column.field.api_name())
                    .then(|| view! { <span class="grid__api-name">{column.field.api_name()}</span> });
                view! {
                    <div role="columnheader" class="grid__cell grid__cell--header" aria-colindex=index + 2>
                        <span class="grid__stack">
                            <span class="grid__header-text">{column.title().to_owned()} {errors}</span>
                            {api}
                        </span>
                    </div>
                }
            })
            .collect_view();
        let last = columns.with(Vec::len) + 2;
        view! {
            <div
                role="row"
                class="grid__row grid__row--header"
                aria-rowindex="1"
                style:grid-template-columns=template
                style:min-width=width
            >
                <div role="columnheader" class="grid__cell grid__cell--number" aria-colindex="1">{t.row}</div>
                {cells}
                <div role="columnheader" class="grid__cell grid__cell--status" aria-colindex=last>{t.status}</div>
                <div role="columnheader" class="grid__cell grid__cell--action" aria-colindex=last + 1>{t.actions}</div>
            </div>
        }
    };

    view! {
        <div class="grid-tools">
            <button type="button" class="button" on:click=next_error>
                {move || text(lang.get()).next_error}
            </button>
            <span class="grid-tools__notice" role="status">{move || notice.get()}</span>
            <span class="grid-tools__hint">{move || text(lang.get()).edit_hint}</span>
            // One click per column for the values the app proposes.
            <div class="fixes">{move || {
                let lang = lang.get();
                columns
                    .get()
                    .into_iter()
                    .filter(|column| column.proposals > 0)
                    .map(|column| {
                        let field = column.field;
                        let label = crate::i18n::use_all_proposed(lang, column.title(), column.proposals);
                        view! {
                            <button type="button" class="button button--fix" on:click=move |_| {
                                selected.set(None);
                                on_apply_all.run(field);
                            }>
                                {label}
                            </button>
                        }
                    })
                    .collect_view()
            }}</div>
        </div>
        <CellBar lang=lang selected=selected columns=columns editable=editable on_edit=on_edit />
        <div
            class="grid"
            role="grid"
            aria-label=move || text(lang.get()).preview
            aria-rowcount=move || total.get() + 1
            node_ref=viewport
            on:scroll=on_scroll
        >
            <div role="rowgroup" class="grid__head">{header}</div>
            <div
                role="rowgroup"
                class="grid__body"
                style:height=move || format!("{}px", total.get() * ROW_HEIGHT as usize)
                style:min-width=width
            >
                <Show when=move || total.get() == 0>
                    <div role="row" class="grid__row">
                        <div role="gridcell" class="grid__cell grid__cell--empty">
                            {move || text(lang.get()).no_rows_match}
                        </div>
                    </div>
                </Show>
                <For each=move || visible.get() key=|(position, row)| (*position, row.clone()) let:item>
                    <GridRow
                        lang=lang
                        mode=mode
                        template=template
                        width=width
                        position=item.0
                        row=item.1
                        columns=columns
                        focus_cell=focus_cell
                        selected=selected
                        active=active
                        go=go
                        focus_include=focus_include
                        include_had_focus=include_had_focus
                        go_include=go_include
                        editable=editable
                        on_edit=on_edit
                        on_exclude=on_exclude
                    />
                </For>
            </div>
        </div>
    }
}

/// Focuses the element of the grid that `selector` finds, if it is on
/// screen; whether it was.
fn focus_within(grid: NodeRef<html::Div>, selector: &str) -> bool {
    let found = grid
        .get()
        .and_then(|grid| grid.query_selector(selector).ok().flatten())
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok());
    if let Some(element) = &found {
        let _ = element.focus();
    }
    found.is_some()
}

#[component]
fn GridRow(
    lang: Signal<Lang>,
    mode: Signal<Mode>,
    template: Signal<String>,
    width: Signal<String>,
    position: usize,
    row: RowView,
    columns: Signal<Vec<ColumnView>>,
    focus_cell: RwSignal<Option<(u32, Field)>>,
    selected: RwSignal<Option<Selected>>,
    active: RwSignal<Option<(u32, Field)>>,
    go: Callback<(usize, Field, Move)>,
    focus_include: RwSignal<Option<u32>>,
    include_had_focus: RwSignal<Option<u32>>,
    go_include: Callback<(usize, Move)>,
    editable: Signal<bool>,
    on_edit: Callback<(u32, Field, String)>,
    on_exclude: Callback<(u32, bool)>,
) -> impl IntoView {
    let number = row.number;
    let include = NodeRef::<html::Input>::new();
    // A row drawn again after its box was toggled: the new box takes the
    // keyboard back, from the body or from the row's cell that took it
    // back first.
    // Built as asked to take the keyboard (the grid gives it to a box
    // already on screen), or built anew while it had it.
    include.on_load(move |element| {
        if focus_include.get_untracked() == Some(number) {
            let _ = element.focus();
            focus_include.set(None);
            return;
        }
        if include_had_focus.get_untracked() != Some(number) {
            return;
        }
        request_animation_frame(move || {
            let row = format!("[data-row=\"{number}\"]");
            let lost = document().active_element().is_none_or(|focused| {
                focused.tag_name() == "BODY" || focused.closest(&row).ok().flatten().is_some()
            });
            // `try_`: the grid may be gone by the next frame.
            if lost && include_had_focus.try_get_untracked() == Some(Some(number)) {
                let _ = element.focus();
            }
        });
    });
    let on_keydown_include = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowUp" => Move::Up,
            "ArrowDown" => Move::Down,
            "ArrowLeft" => Move::Left,
            _ => return,
        };
        ev.prevent_default();
        go_include.run((position, step));
    };
    let problems = row.problems.clone();
    let columns_editable: Vec<bool> =
        columns.with_untracked(|columns| columns.iter().map(|c| c.editable).collect());
    // Rows in flight or already applied cannot change; refused ones can be
    // fixed and retried.
    let locked = !matches!(
        row.state,
        RowState::Invalid
            | RowState::Ready
            | RowState::Excluded
            | RowState::Rejected(_)
            | RowState::NotSent { .. }
    );
    let grid_editable = editable;
    let cells = row
        .cells
        .into_iter()
        .zip(columns_editable)
        .enumerate()
        .map(|(index, (cell, column_editable))| {
            let editable = column_editable && !locked;
            view! {
                <GridCell
                    lang=lang
                    number=number
                    colindex=index + 2
                    cell=cell
                    editable=editable
                    grid_editable=grid_editable
                    focus_cell=focus_cell
                    selected=selected
                    problems=problems.clone()
                    active=active
                    go=go
                    position=position
                    on_edit=on_edit
                />
            }
        })
        .collect_view();
    let last = columns.with_untracked(Vec::len) + 2;
    let excluded = !row.included;
    let can_toggle = row.toggle;
    view! {
        <div
            role="row"
            class="grid__row"
            class:grid__row--excluded=row.state == RowState::Excluded
            aria-rowindex=position + 2
            data-row=number
            style:transform=format!("translateY({}px)", position * ROW_HEIGHT as usize)
            style:grid-template-columns=template
            style:min-width=width
        >
            <div role="rowheader" class="grid__cell grid__cell--number" aria-colindex="1">{number}</div>
            {cells}
            <div role="gridcell" class="grid__cell grid__cell--status rows__status" aria-colindex=last>
                <Status
                    lang=lang
                    mode=mode
                    state=row.state.clone()
                    assessment=row.assessment
                    operation=row.operation
                    email_state=row.email_state
                    email_change=row.email_change
                    problems=row.problems
                />
            </div>
            <div role="gridcell" class="grid__cell grid__cell--action" aria-colindex=last + 1>
                <label class="grid__toggle">
                    <input
                        type="checkbox"
                        tabindex="-1"
                        node_ref=include
                        on:keydown=on_keydown_include
                        on:focus=move |_| include_had_focus.set(Some(number))
                        // Moved elsewhere, not removed with its row.
                        on:blur=move |ev| if ev.related_target().is_some() { include_had_focus.set(None) }
                        prop:checked=!excluded
                        disabled=!can_toggle
                        on:change=move |_| on_exclude.run((number, !excluded))
                    />
                    <span class="visually-hidden">
                        {move || format!("{} {} {number}", text(lang.get()).include, text(lang.get()).row.to_lowercase())}
                    </span>
                </label>
            </div>
        </div>
    }
}

fn text_for(lang: Signal<Lang>) -> &'static crate::i18n::Text {
    text(lang.get())
}

#[component]
fn GridCell(
    lang: Signal<Lang>,
    number: u32,
    colindex: usize,
    cell: CellView,
    /// Whether the cell can ever be edited: not once its row was sent.
    editable: bool,
    /// Whether the grid's cells can be edited now.
    grid_editable: Signal<bool>,
    focus_cell: RwSignal<Option<(u32, Field)>>,
    selected: RwSignal<Option<Selected>>,
    /// Every problem of the cell's row, for the bar above the grid.
    problems: Vec<(Severity, String)>,
    active: RwSignal<Option<(u32, Field)>>,
    go: Callback<(usize, Field, Move)>,
    /// The row's place among the rows shown.
    position: usize,
    on_edit: Callback<(u32, Field, String)>,
) -> impl IntoView {
    let field = cell.field;
    let chosen = Selected {
        number,
        field,
        issue: cell.issue.clone(),
        proposal: cell.proposal.clone().filter(|_| editable),
        problems,
    };
    let editable = move || editable && grid_editable.get();
    let editing = RwSignal::new(false);
    let shown = NodeRef::<html::Div>::new();
    let original = cell.text.clone();
    // What the editor opens with: the value the app proposes where it has
    // one, else the cell's; or the key typed to start the edit.
    let opening = cell.proposal.clone().unwrap_or_else(|| original.clone());
    let typed = RwSignal::new(None::<String>);

    // Built as asked to take the keyboard (the grid gives it to a cell
    // already on screen), or built anew for a row drawn again (the worker
    // judged an edit) while it had it: the old cell is gone a frame later.
    // Only such a cell waits a frame: a frame callback for every cell of a
    // screen of rows built anew costs the page a few milliseconds.
    shown.on_load(move |element| {
        if focus_cell.get_untracked() == Some((number, field)) {
            let _ = element.focus();
            focus_cell.set(None);
            return;
        }
        if active.get_untracked() != Some((number, field)) {
            return;
        }
        request_animation_frame(move || {
            let lost = document()
                .active_element()
                .is_none_or(|focused| focused.tag_name() == "BODY");
            // `try_`: the grid may be gone by the next frame.
            if lost && active.try_get_untracked() == Some(Some((number, field))) {
                let _ = element.focus();
            }
        });
    });

    // Saves the edit; `onward` moves on to the next error (Enter), else
    // focus stays on the cell.
    let commit = move |onward: bool, value: String| {
        if !editing.get_untracked() {
            return;
        }
        editing.set(false);
        typed.set(None);
        focus_cell.set(Some((number, field)));
        on_edit.run((number, field, value));
        if onward {
            go.run((position, field, Move::NextError));
        }
    };
    // The keys that end an edit stop here: bubbling up to the cell, Enter
    // would open the editor again on the value before the edit.
    let on_keydown_input = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            ev.stop_propagation();
            commit(true, event_target_value(&ev));
        }
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            editing.set(false);
            typed.set(None);
            focus_cell.set(Some((number, field)));
        }
        _ => {}
    };
    // A spreadsheet's keys: arrows move, Enter or F2 edits, typing starts
    // an edit with what is typed.
    let on_keydown_cell = move |ev: leptos::ev::KeyboardEvent| {
        // Keys typed into the editor bubble up here: they are the editor's.
        if editing.get_untracked() {
            return;
        }
        let key = ev.key();
        let step = match key.as_str() {
            "ArrowUp" => Some(Move::Up),
            "ArrowDown" => Some(Move::Down),
            "ArrowLeft" => Some(Move::Left),
            "ArrowRight" => Some(Move::Right),
            _ => None,
        };
        if let Some(step) = step {
            ev.prevent_default();
            go.run((position, field, step));
            return;
        }
        if !untrack(editable) {
            return;
        }
        let printable =
            key.chars().count() == 1 && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key();
        if matches!(key.as_str(), "Enter" | "F2") || printable {
            ev.prevent_default();
            typed.set(printable.then_some(key));
            editing.set(true);
        }
    };

    let (severity, message) = match cell.issue {
        Some((severity, message)) => (Some(severity), Some(message)),
        None => (None, None),
    };
    let issue_id = format!("issue-{number}-{}", field.api_name());
    let described_by = message.as_ref().map(|_| issue_id.clone());
    let label = format!("{} {number}", field.api_name());
    view! {
        <div
            role="gridcell"
            class="grid__cell"
            class:grid__cell--error=severity == Some(Severity::Error)
            class:grid__cell--warning=severity == Some(Severity::Warning)
            aria-colindex=colindex
            aria-invalid=(severity == Some(Severity::Error)).then_some("true")
            aria-describedby=described_by
            aria-readonly=move || (!editable()).then_some("true")
            data-field=field.api_name()
            tabindex=move || {
                let first = position == 0 && colindex == 2;
                let here = active.with(|active| active.map_or(first, |cell| cell == (number, field)));
                if here { "0" } else { "-1" }
            }
            node_ref=shown
            on:focus=move |_| {
                active.set(Some((number, field)));
                selected.set(Some(chosen.clone()));
            }
            on:keydown=on_keydown_cell
            on:dblclick=move |_| {
                if untrack(editable) {
                    editing.set(true);
                }
            }
        >
            <Show
                when=move || editing.get()
                fallback={
                    let text = cell.text.clone();
                    let change = cell.change.clone();
                    let kept = cell.kept.clone();
                    let tidied = cell.tidied.clone();
                    let named = cell.named.clone();
                    move || match (change.clone(), kept.clone()) {
                        (Some(change), _) => {
                            let title = change.clone();
                            view! {
                                <span class="grid__text grid__text--changed" title=title>{change}</span>
                            }
                        }
                        .into_any(),
                        (None, Some(kept)) => view! {
                            <span class="grid__text grid__text--kept">
                                {kept}
                                <span class="visually-hidden">{move || format!(" ({})", text_for(lang).kept)}</span>
                            </span>
                        }
                        .into_any(),
                        (None, None) => match tidied.clone() {
                            Some(from) => {
                                let note = move || format!("{} {from}", text_for(lang).tidied_from);
                                let title = note.clone();
                                view! {
                                    <span class="grid__stack">
                                        <span class="grid__text">{text.clone()}</span>
                                        <span class="grid__tidied" title=title>{note}</span>
                                    </span>
                                }
                                .into_any()
                            }
                            None => match named.clone() {
                                Some(name) => {
                                    let title = name.clone();
                                    view! {
                                        <span class="grid__stack">
                                            <span class="grid__text">{text.clone()}</span>
                                            <span class="grid__named" title=title>{name}</span>
                                        </span>
                                    }
                                    .into_any()
                                }
                                None => view! { <span class="grid__text">{text.clone()}</span> }.into_any(),
                            },
                        },
                    }
                }
            >
                {
                    // The editor takes the keyboard as it opens.
                    let input = NodeRef::<html::Input>::new();
                    input.on_load(move |element| {
                        let _ = element.focus();
                        match typed.get_untracked() {
                            // Typing replaces the cell, as in a spreadsheet.
                            Some(key) => element.set_value(&key),
                            None => element.select(),
                        }
                    });
                    view! {
                        <input
                            class="grid__input"
                            type="text"
                            aria-label=label.clone()
                            value=opening.clone()
                            node_ref=input
                            on:keydown=on_keydown_input
                            on:blur=move |ev| commit(false, event_target_value(&ev))
                        />
                    }
                }
            </Show>
            {message.map(|message| view! { <span class="grid__issue" id=issue_id>{message}</span> })}
        </div>
    }
}

#[component]
fn Status(
    lang: Signal<Lang>,
    mode: Signal<Mode>,
    state: RowState,
    assessment: Option<Assessment>,
    operation: Operation,
    email_state: Option<RowState>,
    email_change: bool,
    problems: Vec<(Severity, String)>,
) -> impl IntoView {
    move || {
        let lang_now = lang.get();
        let t = text(lang_now);
        let done = match (mode.get(), operation) {
            (Mode::Create, Operation::Create) => t.state_created,
            _ => t.state_updated,
        };
        let email = email_state.clone().and_then(|state| {
            let line = match state {
                RowState::Created { .. } | RowState::Applied => lang_now.pick("changed", "diubah").to_owned(),
                RowState::Rejected(error) => format!("{} {}: {}", error.error_code, error.message, error.detail),
                RowState::NotSent { reason } => format!("{}: {reason}", t.state_not_sent),
                RowState::Sending => t.state_sending.to_owned(),
                RowState::Unconfirmed => t.state_unconfirmed.to_owned(),
                _ => return None,
            };
            Some(view! { <span class="status__detail status__email">{format!("{}: {line}", t.email_change)}</span> })
        });
        let main = match state.clone() {
            // The row's first problem in words; the bar above the grid
            // lists them all for the cell in focus.
            RowState::Invalid => {
                let first = problems
                    .first()
                    .map(|(_, message)| message.clone())
                    .unwrap_or_default();
                let more = (problems.len() > 1)
                    .then(|| crate::i18n::more_problems(lang_now, problems.len() - 1));
                view! {
                    <span class="status status--invalid visually-hidden">{t.state_invalid}</span>
                    <span class="status__problem">
                        <span class="status__reason">{first}</span>
                        {more.map(|more| view! { <span class="status__more">{more}</span> })}
                    </span>
                }
                .into_any()
            }
            RowState::Excluded => {
                view! { <span class="status status--excluded">{t.state_excluded}</span> }.into_any()
            }
            RowState::Ready | RowState::NotSent { .. } if assessment.is_some() => {
                let assessment = assessment.clone().unwrap_or(Assessment::NotChecked);
                let class = match &assessment {
                    Assessment::New | Assessment::Changes(_) => "status status--ready",
                    Assessment::Unchanged | Assessment::NotChecked => "status status--excluded",
                    Assessment::CouldNotCheck { .. } => "status status--unconfirmed",
                    _ => "status status--rejected",
                };
                let reason = match state.clone() {
                    RowState::NotSent { reason } => {
                        Some(view! { <span class="status__detail">{reason}</span> })
                    }
                    _ => None,
                };
                let words = match assessment {
                    Assessment::Unchanged if email_change => t.email_only.to_owned(),
                    _ => crate::i18n::assessment(lang_now, &assessment),
                };
                let class = if email_change && assessment == Assessment::Unchanged {
                    "status status--ready"
                } else {
                    class
                };
                view! {
                    <span class=class>{words}</span>
                    {reason}
                }
                .into_any()
            }
            RowState::Ready => {
                let warning = problems.first().map(|(_, message)| {
                    view! { <span class="status__detail status__warning">{message.clone()}</span> }
                });
                view! {
                    <span class="status status--ready">{t.state_ready}</span>
                    {warning}
                }
                .into_any()
            }
            RowState::Sending => {
                view! { <span class="status status--sending">{t.state_sending}</span> }.into_any()
            }
            RowState::Created { serial } => view! {
                <span class="status status--created">{done}</span>
                " "
                <code class="status__serial">{serial}</code>
            }
            .into_any(),
            RowState::Applied => view! {
                <span class="status status--created">{done}</span>
                <span class="status__detail">{t.applied_detail}</span>
            }
            .into_any(),
            RowState::Exists(found) => {
                let found = employee_import::export::describe_found(&found);
                view! {
                    <span class="status status--rejected" title=found.clone()>
                        {crate::i18n::exists_not_ours(lang_now)}
                    </span>
                    <span class="status__detail">{found}</span>
                }
                .into_any()
            }
            RowState::Rejected(error) => {
                // The plain explanation first, where the code is known; the
                // API's own code and words in small print beneath.
                let said = format!(
                    "Ruangkerja: {} {}: {}",
                    error.error_code, error.message, error.detail
                );
                let lead = error.plain(lang_now);
                view! {
                    <span class="status status--rejected visually-hidden">{t.state_rejected}</span>
                    <span class="status__reason">{lead}</span>
                    <span class="status__api" title=said>
                        "Ruangkerja: "
                        <span class="status__code">{error.error_code}</span>
                        " "
                        <span class="status__message">{error.message}</span>
                        " · "
                        <span class="status__detail">{error.detail}</span>
                    </span>
                }
                .into_any()
            }
            RowState::NotSent { reason } => view! {
                <span class="status status--not-sent">{t.state_not_sent}</span>
                <span class="status__detail">{reason}</span>
            }
            .into_any(),
            RowState::Unconfirmed => view! {
                <span class="status status--unconfirmed">{t.state_unconfirmed}</span>
                <span class="status__detail">{t.unconfirmed_detail}</span>
            }
            .into_any(),
        };
        view! { {main} {email} }
    }
}

/// The cell in focus, as the bar above the grid explains it.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    number: u32,
    field: Field,
    issue: Option<(Severity, String)>,
    proposal: Option<String>,
    problems: Vec<(Severity, String)>,
}

/// What is wrong with the cell in focus and how to fix it, above the
/// grid: never clipped by a cell or covered by the next row, and read out
/// by screen readers as focus moves.
#[component]
fn CellBar(
    lang: Signal<Lang>,
    selected: RwSignal<Option<Selected>>,
    columns: Signal<Vec<ColumnView>>,
    editable: Signal<bool>,
    on_edit: Callback<(u32, Field, String)>,
) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        let t = text(lang);
        let Some(chosen) = selected.get() else {
            return view! { <span class="cell-bar__hint">{t.cell_bar_hint}</span> }.into_any();
        };
        let column =
            columns.with(|columns| columns.iter().find(|c| c.field == chosen.field).cloned());
        let title = column
            .as_ref()
            .map_or(chosen.field.api_name().to_owned(), |c| c.title().to_owned());
        let (class, message) = match &chosen.issue {
            Some((Severity::Error, message)) => (
                "cell-bar__message cell-bar__message--error",
                message.clone(),
            ),
            Some((Severity::Warning, message)) => (
                "cell-bar__message cell-bar__message--warning",
                message.clone(),
            ),
            None => ("cell-bar__message", t.cell_ok.to_owned()),
        };
        // The row's problems in other cells.
        let others: Vec<String> = chosen
            .problems
            .iter()
            .filter(|(_, problem)| chosen.issue.as_ref().is_none_or(|(_, own)| own != problem))
            .map(|(_, problem)| problem.clone())
            .collect();
        let (number, field) = (chosen.number, chosen.field);
        // A value proposed for a row being read or judged again waits.
        let apply = chosen
            .proposal
            .clone()
            .filter(|_| editable.get())
            .map(|proposal| {
                let label = crate::i18n::use_value(lang, &proposal);
                view! {
                    <button type="button" class="button button--fix" on:click=move |_| {
                        selected.set(None);
                        on_edit.run((number, field, proposal.clone()));
                    }>
                        {label}
                    </button>
                }
            });
        view! {
            <span class="cell-bar__where">{format!("{} {number} · {title}", t.row)}</span>
            <span class=class>{message}</span>
            {apply}
            {(!others.is_empty()).then(|| view! {
                <span class="cell-bar__others">{format!("{} {}", t.also_in_row, others.join(" · "))}</span>
            })}
        }
        .into_any()
    };
    view! { <div class="cell-bar" role="status" aria-live="polite">{body}</div> }
}
