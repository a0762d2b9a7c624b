import { ChoiceSelect } from "@/components/ui/choice-select";
import type { ListQuery } from "@/lib/environments/groups";

// The environment list's search, filters and sort: a plain GET form, so every view has an address to share.

const select = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";

export function ListFilters({ query, owners, runtimes }: { query: ListQuery; owners: string[]; runtimes: string[] }) {
  return (
    <form role="search" method="get" className="flex flex-wrap items-center gap-2 text-sm">
      <input
        name="q"
        defaultValue={query.q}
        aria-label="Search environments"
        placeholder="Name or address"
        className="w-52 rounded-md border border-slate-300 px-2 py-1"
      />
      <select name="status" defaultValue={query.status} aria-label="Status" className={select}>
        <option value="">Any status</option>
        <option value="running">Running</option>
        <option value="down">Down</option>
        <option value="stopped">Stopped</option>
        <option value="problems">With problems</option>
      </select>
      {owners.length > 1 && (
        <ChoiceSelect name="owner" defaultValue={query.owner} label="Owner" every="Every owner" choices={owners} />
      )}
      {runtimes.length > 1 && (
        <ChoiceSelect
          name="runtime"
          defaultValue={query.runtime}
          label="Runtime"
          every="Every runtime"
          choices={runtimes}
        />
      )}
      <select name="sort" defaultValue={query.sort} aria-label="Sort" className={select}>
        <option value="created">Oldest first</option>
        <option value="name">By name</option>
        <option value="health">Problems first</option>
      </select>
      <button
        type="submit"
        className="rounded-md border border-slate-300 bg-white px-3 py-1 font-medium hover:bg-slate-100"
      >
        Apply
      </button>
    </form>
  );
}
